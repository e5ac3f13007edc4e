package org.quietbridge.bridge.port;

import static org.quietbridge.bridge.sys.LinuxConstants.ETH_HLEN;
import static org.quietbridge.bridge.sys.LinuxConstants.TPACKET_ALIGNMENT;
import static org.quietbridge.bridge.sys.LinuxConstants.VLAN_HLEN;

import org.quietbridge.bridge.sys.LinuxConstants;
import org.quietbridge.bridge.sys.Tpacket2Hdr;
import org.quietbridge.bridge.sys.VirtioNetHdr;

/**
 * The shape of one ring: {@code frameCount} slots of
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

    /**
     * The largest super-frame the rings carry whole: 64 KiB, the kernel's default gso_max_size and
     * gro_max_size (GSO_LEGACY_MAX_SIZE), plus a MAC header and two tags. BIG TCP (gso_max_size raised
     * past 64 KiB) makes larger ones; they are counted as truncated and dropped.
     */
    public static final int MAX_SUPER_FRAME = 65536 + ETH_HLEN + 2 * VLAN_HLEN;
    /**
     * A TX slot that holds a super-frame with its re-inserted tag behind the largest slot header
     * (tpacket3_hdr, 48 bytes) and a virtio-net header: 17 pages. Whole pages, so a slot starts on a
     * page and the kernel maps it into at most 17 fragments (af_packet.c tpacket_fill_skb, MAX_SKB_FRAGS).
     */
    public static final int SUPER_FRAME_SLOT = 17 * MIN_PAGE_SIZE;
    /** TX slots for super-frames by default: {@value} x 68 KiB, about 35 MiB. */
    public static final int DEFAULT_SUPER_FRAME_SLOTS = 512;
    /** 1 MiB, a power of two, so the kernel's per-block allocation (2^order pages) wastes nothing; 15 slots. */
    private static final int SUPER_FRAME_BLOCK_SIZE = 1 << 20;
    /** TPACKET_V3 RX blocks that hold a whole super-frame behind the block and frame headers. */
    public static final int SUPER_FRAME_RX_BLOCK_SIZE = 128 * 1024;

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
        return requiredFrameSize(mtu, false);
    }

    /** {@link #requiredFrameSize(int)}, plus the virtio-net header in front of the frame when the port has them. */
    public static int requiredFrameSize(int mtu, boolean vnetHeaders) {
        if (mtu <= 0) {
            throw new IllegalArgumentException("mtu " + mtu);
        }
        return LinuxConstants.tpacketAlign(RX_HEADROOM + (vnetHeaders ? VirtioNetHdr.SIZE : 0) + mtu + ETH_HLEN
                + 2 * VLAN_HLEN);
    }

    /**
     * The RX ring of a port: this geometry's slots, and for TPACKET_V3 with virtio-net headers, blocks
     * large enough for a whole super-frame (a V3 frame may fill a block, but never two).
     */
    public RingGeometry forRx(RingVersion version, boolean vnetHeaders) {
        if (version != RingVersion.V3 || !vnetHeaders || blockSize >= SUPER_FRAME_RX_BLOCK_SIZE) {
            return this;
        }
        int framesPerBlock = SUPER_FRAME_RX_BLOCK_SIZE / frameSize;
        int blocks = Math.max(1, (frameCount + framesPerBlock - 1) / framesPerBlock);
        return new RingGeometry(frameSize, blocks * framesPerBlock, SUPER_FRAME_RX_BLOCK_SIZE);
    }

    /**
     * The TX ring of a port: this geometry's slots when frames never exceed the MTU; with virtio-net
     * headers, at least {@code superFrameSlots} slots of {@link #SUPER_FRAME_SLOT} bytes, so that a
     * super-frame leaves whole and the kernel segments it.
     */
    public RingGeometry forTx(boolean vnetHeaders, int superFrameSlots) {
        if (!vnetHeaders) {
            return this;
        }
        int framesPerBlock = SUPER_FRAME_BLOCK_SIZE / SUPER_FRAME_SLOT;
        int blocks = Math.max(1, (superFrameSlots + framesPerBlock - 1) / framesPerBlock);
        return new RingGeometry(SUPER_FRAME_SLOT, blocks * framesPerBlock, SUPER_FRAME_BLOCK_SIZE);
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
