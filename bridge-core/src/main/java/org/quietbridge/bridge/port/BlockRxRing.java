package org.quietbridge.bridge.port;

import static org.quietbridge.bridge.sys.LinuxConstants.ETH_P_8021Q;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_OUTGOING;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_CSUM_NOT_READY;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_KERNEL;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_USER;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_VLAN_TPID_VALID;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_VLAN_VALID;

import java.lang.foreign.MemorySegment;

import org.quietbridge.bridge.sys.SockaddrLl;
import org.quietbridge.bridge.sys.Tpacket3Hdr;
import org.quietbridge.bridge.sys.TpacketBlockDesc;
import org.quietbridge.bridge.sys.VirtioNetHdr;

/**
 * A TPACKET_V3 RX ring: the kernel packs frames ({@code struct tpacket3_hdr}, chained by
 * tp_next_offset) into a block and hands the whole block over, by setting {@code block_status} to
 * TP_STATUS_USER, when the block is full or its retire timer fires. {@link #receive} walks the block
 * frame by frame; the release of its last frame hands the block back (TP_STATUS_KERNEL). The block's
 * acquire load of block_status orders the reads of its frames.
 *
 * <p>A frame may fill a block, not just a slot, so a super-frame arrives whole when the block is large
 * enough for it ({@link RingGeometry#forRx}); its virtio-net header, if the socket has them, is right
 * before it.
 */
final class BlockRxRing implements RxRing {
    /** The sockaddr_ll from a frame's header. */
    private static final long SOCKADDR_LL_IN_FRAME = Tpacket3Hdr.SOCKADDR_LL_OFFSET;

    private final MemorySegment[] blocks;
    private final int blockCount;
    private final boolean vnetHeaders;
    private final boolean filterOutgoing;
    private int block;
    /** Frames of the current block not yet released, and where the current one starts. */
    private int framesLeft;
    private long frameOffset;
    private boolean held;
    private long outgoingFiltered;

    BlockRxRing(PacketSocket socket, MemorySegment ring, RingGeometry geometry, boolean vnetHeaders) {
        this.blockCount = geometry.blockCount();
        this.blocks = new MemorySegment[blockCount];
        for (int i = 0; i < blockCount; i++) {
            blocks[i] = ring.asSlice((long) i * geometry.blockSize(), geometry.blockSize());
        }
        this.vnetHeaders = vnetHeaders;
        this.filterOutgoing = socket.filtersOutgoingInUserSpace();
    }

    @Override
    public boolean receive(RxFrame rx) {
        if (held) {
            release();
        }
        while (true) {
            MemorySegment current = blocks[block];
            if (framesLeft == 0) {
                if (((int) TpacketBlockDesc.BLOCK_STATUS.getAcquire(current, 0L) & TP_STATUS_USER) == 0) {
                    return false;
                }
                framesLeft = (int) TpacketBlockDesc.NUM_PKTS.get(current, 0L);
                frameOffset = Integer.toUnsignedLong((int) TpacketBlockDesc.OFFSET_TO_FIRST_PKT.get(current, 0L));
                if (framesLeft == 0) { // the kernel does not close empty blocks; be safe if it ever does
                    handBackBlock(current);
                    continue;
                }
            }
            long frame = frameOffset;
            if (filterOutgoing
                    && (byte) SockaddrLl.SLL_PKTTYPE.get(current, frame + SOCKADDR_LL_IN_FRAME) == PACKET_OUTGOING) {
                outgoingFiltered++;
                next(current);
                continue;
            }
            int status = (int) Tpacket3Hdr.TP_STATUS.get(current, frame);
            int tpid = 0;
            int tci = 0;
            if ((status & TP_STATUS_VLAN_VALID) != 0) {
                tci = (int) Tpacket3Hdr.TP_VLAN_TCI.get(current, frame) & 0xFFFF;
                tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0
                        ? Short.toUnsignedInt((short) Tpacket3Hdr.TP_VLAN_TPID.get(current, frame)) : 0;
                if (tpid == 0) {
                    tpid = ETH_P_8021Q;
                }
            }
            long mac = frame + Short.toUnsignedInt((short) Tpacket3Hdr.TP_MAC.get(current, frame));
            rx.set(current, mac, (int) Tpacket3Hdr.TP_SNAPLEN.get(current, frame),
                    (int) Tpacket3Hdr.TP_LEN.get(current, frame), tpid, tci, (status & TP_STATUS_CSUM_NOT_READY) != 0);
            rx.timestamp(Integer.toUnsignedLong((int) Tpacket3Hdr.TP_SEC.get(current, frame)) * 1_000_000_000L
                    + Integer.toUnsignedLong((int) Tpacket3Hdr.TP_NSEC.get(current, frame)));
            if (vnetHeaders) {
                rx.offload().readFrom(current, mac - VirtioNetHdr.SIZE);
            }
            held = true;
            return true;
        }
    }

    /** Past the current frame of the block; the last frame's release hands the block back. */
    private void next(MemorySegment current) {
        if (--framesLeft == 0) {
            handBackBlock(current);
        } else {
            frameOffset += Integer.toUnsignedLong((int) Tpacket3Hdr.TP_NEXT_OFFSET.get(current, frameOffset));
        }
    }

    private void handBackBlock(MemorySegment current) {
        TpacketBlockDesc.BLOCK_STATUS.setRelease(current, 0L, TP_STATUS_KERNEL);
        if (++block == blockCount) {
            block = 0;
        }
    }

    @Override
    public void release() {
        if (held) {
            held = false;
            next(blocks[block]);
        }
    }

    @Override
    public boolean ready() {
        if (framesLeft - (held ? 1 : 0) > 0) {
            return true;
        }
        int next = framesLeft == 0 ? block : (block + 1 == blockCount ? 0 : block + 1);
        return ((int) TpacketBlockDesc.BLOCK_STATUS.getAcquire(blocks[next], 0L) & TP_STATUS_USER) != 0;
    }

    @Override
    public long outgoingFiltered() {
        return outgoingFiltered;
    }
}
