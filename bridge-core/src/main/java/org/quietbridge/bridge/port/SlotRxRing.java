package org.quietbridge.bridge.port;

import static org.quietbridge.bridge.sys.LinuxConstants.ETH_P_8021Q;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_OUTGOING;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_LEN;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_MAC;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_NSEC;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_SEC;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_SNAPLEN;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_COPY;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_CSUM_NOT_READY;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_KERNEL;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_USER;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_VLAN_TPID_VALID;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_VLAN_VALID;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_VLAN_TCI;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_VLAN_TPID;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

import org.quietbridge.bridge.sys.SockaddrLl;
import org.quietbridge.bridge.sys.Tpacket2Hdr;
import org.quietbridge.bridge.sys.VirtioNetHdr;

/**
 * A TPACKET_V2 RX ring: one frame per slot, each handed over on its own (Documentation/networking/
 * packet_mmap.rst). A slot is user space's when {@code tp_status & TP_STATUS_USER}, read with an acquire
 * load, and goes back with a release store of TP_STATUS_KERNEL.
 *
 * <p>With virtio-net headers, the header sits right before the frame ({@code tp_mac - 10}). A
 * super-frame larger than a slot arrives through the copy lane: its slot holds a cut copy marked
 * TP_STATUS_COPY, and the whole frame, header first, waits in the socket's receive queue (af_packet.c
 * tpacket_rcv, PACKET_COPY_THRESH). The queue holds those frames in slot order, so one
 * {@code recvfrom} per COPY slot reads the right one into the staging buffer, and the frame is presented
 * from there with the tag the slot reports.
 */
final class SlotRxRing implements RxRing {
    /** Base offset of the sockaddr_ll the kernel writes into each slot (the struct handles add the field offset). */
    private static final long SOCKADDR_LL_IN_SLOT = Tpacket2Hdr.SOCKADDR_LL_OFFSET;

    private final PacketSocket socket;
    private final MemorySegment[] slots;
    private final int slotCount;
    private final boolean vnetHeaders;
    private final boolean filterOutgoing;
    /** Where a copy-lane frame is read to: its virtio-net header, then the frame. Null without the lane. */
    private final MemorySegment staging;
    private int index;
    private boolean held;
    private long outgoingFiltered;

    SlotRxRing(PacketSocket socket, MemorySegment ring, RingGeometry geometry, boolean vnetHeaders,
               MemorySegment staging) {
        this.socket = socket;
        this.slotCount = geometry.frameCount();
        this.slots = new MemorySegment[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = ring.asSlice(geometry.slotOffset(i), geometry.frameSize());
        }
        this.vnetHeaders = vnetHeaders;
        this.filterOutgoing = socket.filtersOutgoingInUserSpace();
        this.staging = staging;
    }

    @Override
    public boolean receive(RxFrame rx) throws IOException {
        if (held) {
            release();
        }
        while (true) {
            MemorySegment slot = slots[index];
            int status = (int) TP_STATUS.getAcquire(slot, 0L);
            if ((status & TP_STATUS_USER) == 0) {
                return false;
            }
            if (filterOutgoing && (byte) SockaddrLl.SLL_PKTTYPE.get(slot, SOCKADDR_LL_IN_SLOT) == PACKET_OUTGOING) {
                outgoingFiltered++;
                handBack(slot);
                continue;
            }
            int tpid = 0;
            int tci = 0;
            if ((status & TP_STATUS_VLAN_VALID) != 0) {
                tci = Short.toUnsignedInt((short) TP_VLAN_TCI.get(slot, 0L));
                tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0
                        ? Short.toUnsignedInt((short) TP_VLAN_TPID.get(slot, 0L)) : 0;
                if (tpid == 0) {
                    tpid = ETH_P_8021Q; // kernels before 3.14 report no TPID: it was 802.1Q
                }
            }
            boolean csumNotReady = (status & TP_STATUS_CSUM_NOT_READY) != 0;
            long stamp = Integer.toUnsignedLong((int) TP_SEC.get(slot, 0L)) * 1_000_000_000L
                    + Integer.toUnsignedLong((int) TP_NSEC.get(slot, 0L));
            int mac = Short.toUnsignedInt((short) TP_MAC.get(slot, 0L));
            int wireLength = (int) TP_LEN.get(slot, 0L);
            held = true;
            if ((status & TP_STATUS_COPY) != 0 && staging != null) {
                long copied = socket.receiveCopy(staging);
                if (copied >= VirtioNetHdr.SIZE) {
                    int length = (int) Math.min(copied, staging.byteSize()) - VirtioNetHdr.SIZE;
                    rx.set(staging, VirtioNetHdr.SIZE, length, (int) copied - VirtioNetHdr.SIZE, tpid, tci,
                            csumNotReady);
                    rx.offload().readFrom(staging, 0L);
                    rx.timestamp(stamp);
                    return true;
                }
                // The copy is gone (it cannot be while the slot is ours): present the cut slot, counted as truncated.
            }
            rx.set(slot, mac, (int) TP_SNAPLEN.get(slot, 0L), wireLength, tpid, tci, csumNotReady);
            rx.timestamp(stamp);
            if (vnetHeaders) {
                rx.offload().readFrom(slot, mac - VirtioNetHdr.SIZE);
            }
            return true;
        }
    }

    @Override
    public void release() {
        if (held) {
            held = false;
            handBack(slots[index]);
        }
    }

    private void handBack(MemorySegment slot) {
        TP_STATUS.setRelease(slot, 0L, TP_STATUS_KERNEL);
        if (++index == slotCount) {
            index = 0;
        }
    }

    @Override
    public boolean ready() {
        int next = !held ? index : index + 1 == slotCount ? 0 : index + 1;
        return ((int) TP_STATUS.getAcquire(slots[next], 0L) & TP_STATUS_USER) != 0;
    }

    @Override
    public long outgoingFiltered() {
        return outgoingFiltered;
    }
}
