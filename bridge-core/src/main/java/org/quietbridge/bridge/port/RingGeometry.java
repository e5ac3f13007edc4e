package org.quietbridge.bridge.port;

import static org.quietbridge.bridge.sys.LinuxConstants.ETH_HLEN;
import static org.quietbridge.bridge.sys.LinuxConstants.TPACKET_ALIGNMENT;
import static org.quietbridge.bridge.sys.LinuxConstants.VLAN_HLEN;

import org.quietbridge.bridge.sys.LinuxConstants;
import org.quietbridge.bridge.sys.Tpacket2Hdr;

/**
 * The shape of one TPACKET_V2 ring (RX and TX use the same shape): {@code frameCount} slots of
 * {@code frameSize} bytes, packed into blocks of {@code blockSize} bytes. This is what
 * {@code struct tpacket_req} says; the kernel's rules (net/packet/af_packet.c packet_set_ring) are
 * checked here so a bad shape fails with a clear message before any syscall:
 * <ul>
 *   <li>{@code frameSize} is a multiple of TPACKET_ALIGNMENT (16) and holds at least the header;</li>
 *   <li>{@code blockSize} is a multiple of the page size and holds at least one frame (frames never
 *       straddle blocks);</li>
 *   <li>{@code frameCount} is a whole number of blocks.</li>
 * </ul>
 *
 * @param frameSize  bytes per slot (tp_frame_size)
 * @param frameCount slots per ring (tp_frame_nr)
 * @param blockSize  bytes per block (tp_block_size)
 */
public record RingGeometry(int frameSize, int frameCount, int blockSize) {
    /** Slots per ring by default: 4096 x 2 KiB = 8 MiB per ring at MTU 1500. */
    public static final int DEFAULT_FRAME_COUNT = 4096;
    /** 64 KiB: a multiple of every page size Linux uses (4, 16 and 64 KiB). */
    public static final int DEFAULT_BLOCK_SIZE = 64 * 1024;
    /** The smallest page size; blocks must be a multiple of the real one (the kernel checks). */
    static final int MIN_PAGE_SIZE = 4096;

    /**
     * Where the kernel puts the frame in an RX slot at most, for SOCK_RAW: tpacket_rcv computes
     * {@code netoff = TPACKET_ALIGN(tp_hdrlen + max(16, maclen))} = 80 for TPACKET_V2 and any MAC
     * header up to 28 bytes, and the frame's bytes after the MAC header end at netoff + payload.
     */
    public static final int RX_HEADROOM = LinuxConstants.tpacketAlign(Tpacket2Hdr.TPACKET2_HDRLEN + 16);

    public RingGeometry {
        if (frameSize % TPACKET_ALIGNMENT != 0 || frameSize < RX_HEADROOM + ETH_HLEN) {
            throw new IllegalArgumentException("frameSize " + frameSize + " must be a multiple of "
                    + TPACKET_ALIGNMENT + " and at least " + (RX_HEADROOM + ETH_HLEN));
        }
        if (blockSize % MIN_PAGE_SIZE != 0 || blockSize < frameSize) {
            throw new IllegalArgumentException("blockSize " + blockSize + " must be a multiple of the page size ("
                    + MIN_PAGE_SIZE + ") and at least frameSize " + frameSize);
        }
        int framesPerBlock = blockSize / frameSize;
        if (frameCount <= 0 || frameCount % framesPerBlock != 0) {
            throw new IllegalArgumentException("frameCount " + frameCount + " must be a positive multiple of the "
                    + framesPerBlock + " frames per block");
        }
    }

    /** The default geometry for an interface MTU. */
    public static RingGeometry forMtu(int mtu) {
        return forMtu(mtu, DEFAULT_FRAME_COUNT);
    }

    /**
     * The smallest frame size for the MTU (power of two up to a page, so frames pack blocks without
     * waste), and at least {@code frameCount} frames (rounded up to whole blocks).
     */
    public static RingGeometry forMtu(int mtu, int frameCount) {
        int needed = requiredFrameSize(mtu);
        int frameSize = needed <= MIN_PAGE_SIZE ? Integer.highestOneBit(needed - 1) << 1 : needed;
        int blockSize = Math.max(DEFAULT_BLOCK_SIZE, Integer.highestOneBit(frameSize - 1) << 1);
        int framesPerBlock = blockSize / frameSize;
        int blocks = Math.max(1, (frameCount + framesPerBlock - 1) / framesPerBlock);
        return new RingGeometry(frameSize, blocks * framesPerBlock, blockSize);
    }

    /**
     * Slot size that holds an MTU-sized frame with up to two tags in the frame (QinQ arrives with its
     * inner tag in place) in RX, behind the slot header: {@code RX_HEADROOM + mtu + 14 + 2 * 4},
     * rounded up to TPACKET_ALIGNMENT. The TX side needs less ({@code 32 + mtu + 14 + 4}).
     */
    public static int requiredFrameSize(int mtu) {
        if (mtu <= 0) {
            throw new IllegalArgumentException("mtu " + mtu);
        }
        return LinuxConstants.tpacketAlign(RX_HEADROOM + mtu + ETH_HLEN + 2 * VLAN_HLEN);
    }

    public int framesPerBlock() {
        return blockSize / frameSize;
    }

    public int blockCount() {
        return frameCount / framesPerBlock();
    }

    /** Bytes of one ring (its share of the mmap). */
    public long ringBytes() {
        return (long) blockCount() * blockSize;
    }

    /** Offset of slot {@code index} from the start of its ring. */
    public long slotOffset(int index) {
        int framesPerBlock = framesPerBlock();
        return (long) (index / framesPerBlock) * blockSize + (long) (index % framesPerBlock) * frameSize;
    }

    /** Bytes a TPACKET_V2 TX slot can hold after its header (the frame starts at {@link Tpacket2Hdr#TX_DATA_OFFSET}). */
    public int txCapacity() {
        return txCapacity(RingVersion.V2);
    }

    /**
     * Bytes a TX slot of {@code version} can hold after its header. {@link #requiredFrameSize} leaves
     * room for TPACKET_V3's larger header (48 bytes) too.
     */
    public int txCapacity(RingVersion version) {
        return frameSize - version.txDataOffset();
    }
}
