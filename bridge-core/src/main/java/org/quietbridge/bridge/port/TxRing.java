package org.quietbridge.bridge.port;

import static org.quietbridge.bridge.port.FramePort.TX_OK;
import static org.quietbridge.bridge.port.FramePort.TX_RING_FULL;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_SENDING;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_SEND_REQUEST;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_WRONG_FORMAT;

import java.lang.foreign.MemorySegment;

import org.quietbridge.bridge.sys.NativeException;
import org.quietbridge.bridge.sys.Tpacket2Hdr;
import org.quietbridge.bridge.sys.Tpacket3Hdr;
import org.quietbridge.bridge.sys.VirtioNetHdr;

/**
 * The writing side of a port: a frame-based TX ring (TPACKET_V2 slots, or TPACKET_V3 slots, which have
 * the same protocol with a larger header). A slot is free when its {@code tp_status} is
 * TP_STATUS_AVAILABLE; the frame goes at the version's data offset, then tp_len, then a release store of
 * TP_STATUS_SEND_REQUEST; {@link #flush} kicks the kernel once for the whole batch.
 *
 * <p>With virtio-net headers, every frame is preceded by one, written from the frame's {@link Offload}:
 * the kernel segments a super-frame and completes a partial checksum on egress (af_packet.c tpacket_snd,
 * virtio_net_hdr_to_skb). tp_len then counts the header too.
 */
final class TxRing {
    private static final int TX_BUSY = TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING | TP_STATUS_WRONG_FORMAT;

    private final String name;
    private final PacketSocket socket;
    private final MemorySegment[] slots;
    /** Where each slot's frame starts (after the slot header and, with virtio-net headers, that header). */
    private final MemorySegment[] frames;
    private final int slotCount;
    /** version == V3; final, so the JIT folds the branches between the two headers' static handles. */
    private final boolean v3;
    private final int dataOffset;
    private final boolean vnetHeaders;
    private final int headerBytes;
    private final int mtu;
    private final int maxFrameLength;
    private final int maxSuperFrameLength;

    private int head;
    private int knownFree;
    private int pending;
    private int lastIndex = -1;
    private boolean kickOwed;

    /**
     * @param maxFrameLength largest frame (tag included) without segmentation: the MTU's limit
     */
    TxRing(String name, PacketSocket socket, MemorySegment ring, RingGeometry geometry, RingVersion version,
           boolean vnetHeaders, int mtu, int maxFrameLength) {
        this.name = name;
        this.socket = socket;
        this.slotCount = geometry.frameCount();
        this.vnetHeaders = vnetHeaders;
        this.headerBytes = vnetHeaders ? VirtioNetHdr.SIZE : 0;
        this.slots = new MemorySegment[slotCount];
        this.frames = new MemorySegment[slotCount];
        this.dataOffset = version.txDataOffset();
        for (int i = 0; i < slotCount; i++) {
            slots[i] = ring.asSlice(geometry.slotOffset(i), geometry.frameSize());
            frames[i] = slots[i].asSlice(dataOffset + headerBytes);
        }
        this.v3 = version == RingVersion.V3;
        this.mtu = mtu;
        this.maxFrameLength = Math.min(maxFrameLength, geometry.txCapacity(version) - headerBytes);
        this.maxSuperFrameLength = vnetHeaders ? geometry.txCapacity(version) - headerBytes : this.maxFrameLength;
    }

    int maxFrameLength() {
        return maxFrameLength;
    }

    /** Largest super-frame (tag included) a slot holds; {@link #maxFrameLength()} without virtio-net headers. */
    int maxSuperFrameLength() {
        return maxSuperFrameLength;
    }

    /**
     * Counts free slots from the head onwards until the first busy one. Slots found free stay free (only
     * this port hands them to the kernel), so the count is kept and only extended.
     */
    int free() {
        while (knownFree < slotCount) {
            int index = head + knownFree;
            if (index >= slotCount) {
                index -= slotCount;
            }
            if ((slotStatus(slots[index]) & TX_BUSY) != 0) {
                break;
            }
            knownFree++;
        }
        return knownFree;
    }

    int transmit(MemorySegment src, long offset, int length, int tpid, int tci, Offload offload) {
        boolean segmented = vnetHeaders && offload.gso();
        int verdict = TxFrameCopy.verdict(src, offset, length, tpid, segmented ? maxSuperFrameLength : maxFrameLength,
                mtu, segmented);
        if (verdict != TX_OK) {
            return verdict;
        }
        MemorySegment slot = slots[head];
        if (knownFree == 0) {
            if ((slotStatus(slot) & TX_BUSY) != 0) {
                return TX_RING_FULL;
            }
            knownFree = 1;
        }
        int written = TxFrameCopy.copy(src, offset, length, tpid, tci, frames[head], 0L);
        if (vnetHeaders) {
            offload.writeTo(slot, dataOffset, written - length, written);
        }
        if (v3) {
            Tpacket3Hdr.TP_LEN.set(slot, 0L, written + headerBytes);
            Tpacket3Hdr.TP_STATUS.setRelease(slot, 0L, TP_STATUS_SEND_REQUEST);
        } else {
            Tpacket2Hdr.TP_LEN.set(slot, 0L, written + headerBytes);
            Tpacket2Hdr.TP_STATUS.setRelease(slot, 0L, TP_STATUS_SEND_REQUEST);
        }
        lastIndex = head;
        if (++head == slotCount) {
            head = 0;
        }
        knownFree--;
        pending++;
        return TX_OK;
    }

    MemorySegment lastFrame() {
        if (lastIndex < 0) {
            throw new IllegalStateException("nothing transmitted on " + name);
        }
        return frames[lastIndex];
    }

    /**
     * The kernel sends SEND_REQUEST slots from its own head until it meets one that is not; a kick that
     * was cut short (EAGAIN/ENOBUFS, or a positive count for only part of the batch) leaves the last
     * written slot in SEND_REQUEST, and the next flush kicks again.
     */
    void flush() throws NativeException {
        if (pending == 0 && !kickOwed) {
            return;
        }
        socket.kick();
        pending = 0;
        kickOwed = slotStatus(slots[lastIndex]) == TP_STATUS_SEND_REQUEST;
    }

    /** A slot's tp_status with acquire semantics: at 0 in tpacket2_hdr, at 20 in tpacket3_hdr. */
    private int slotStatus(MemorySegment slot) {
        return v3 ? (int) Tpacket3Hdr.TP_STATUS.getAcquire(slot, 0L) : (int) Tpacket2Hdr.TP_STATUS.getAcquire(slot, 0L);
    }
}
