package org.quietbridge.bridge.port;

import static org.quietbridge.bridge.sys.VirtioNetHdr.VIRTIO_NET_HDR_F_NEEDS_CSUM;
import static org.quietbridge.bridge.sys.VirtioNetHdr.VIRTIO_NET_HDR_GSO_ECN;
import static org.quietbridge.bridge.sys.VirtioNetHdr.VIRTIO_NET_HDR_GSO_NONE;

import java.lang.foreign.MemorySegment;

import org.quietbridge.bridge.sys.VirtioNetHdr;

/**
 * What the kernel's offloads left undone in a frame, as its virtio-net header says: whether it is a
 * GSO super-frame still to be cut into segments ({@link #gsoType}, {@link #gsoSize}), and whether its
 * L4 checksum is still to be completed ({@link #needsChecksum}, from {@link #checksumStart} with the
 * result at {@link #checksumOffset} past it). It travels with the frame from the RX ring to the TX
 * ring (docs/ARCHITECTURE.md, "Offloads"): a port that {@link FramePort#carriesOffloads() carries
 * offloads} writes it back in front of the frame, and the kernel or the NIC segments and checksums on
 * egress, as a virtio device would.
 *
 * <p>Offsets are from the frame's first byte as the port presents it, that is without the outer tag
 * the kernel stripped; {@link #writeTo} shifts them when a tag goes back in.
 *
 * <p>A mutable view, re-filled for every frame ({@link RxFrame#offload()}), so receiving allocates
 * nothing. {@link #NONE}, the state of a frame without offload work, cannot be changed.
 */
public final class Offload {
    /** Nothing to segment, no checksum to complete. */
    public static final Offload NONE = new Offload(true);

    private final boolean frozen;
    private int flags;
    private int gsoType;
    private int gsoSize;
    private int headerLength;
    private int checksumStart;
    private int checksumOffset;

    public Offload() {
        this(false);
    }

    private Offload(boolean frozen) {
        this.frozen = frozen;
    }

    /** Whether the frame is a super-frame: {@link #gsoSize()} payload bytes per segment. */
    public boolean gso() {
        return gsoSize != 0 && (gsoType & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE;
    }

    /** A TCP super-frame (TSO, or GRO of TCP): segments repeat the TCP header. */
    public boolean tcpSegments() {
        int type = gsoType & ~VIRTIO_NET_HDR_GSO_ECN;
        return gso() && (type == VirtioNetHdr.VIRTIO_NET_HDR_GSO_TCPV4 || type == VirtioNetHdr.VIRTIO_NET_HDR_GSO_TCPV6);
    }

    /** A UDP super-frame cut into datagrams (USO): segments repeat the UDP header. */
    public boolean udpSegments() {
        return gso() && (gsoType & ~VIRTIO_NET_HDR_GSO_ECN) == VirtioNetHdr.VIRTIO_NET_HDR_GSO_UDP_L4;
    }

    /** VIRTIO_NET_HDR_GSO_* (ECN flag included), or 0. */
    public int gsoType() {
        return gsoType;
    }

    /** Payload bytes per segment; 0 when not {@link #gso()}. */
    public int gsoSize() {
        return gsoSize;
    }

    /**
     * Bytes of headers (L2 to L4) that every segment repeats. The kernel reports the skb's linear part,
     * which may hold payload too; the forwarding agent replaces it with the length it decoded
     * ({@link #headerLength(int)}) before it counts segments or sends the frame on.
     */
    public int headerLength() {
        return headerLength;
    }

    /** Sets {@link #headerLength()}. */
    public Offload headerLength(int length) {
        return set(flags, gsoType, gsoSize, length, checksumStart, checksumOffset);
    }

    /** VIRTIO_NET_HDR_F_NEEDS_CSUM: the L4 checksum holds only the pseudo-header sum. */
    public boolean needsChecksum() {
        return (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0;
    }

    /** Where the checksummed range starts (the L4 header), from the frame's first byte; meaningful if {@link #needsChecksum()}. */
    public int checksumStart() {
        return checksumStart;
    }

    /** Where the checksum field is, from {@link #checksumStart()}. */
    public int checksumOffset() {
        return checksumOffset;
    }

    /** The virtio-net flags (VIRTIO_NET_HDR_F_*). */
    public int flags() {
        return flags;
    }

    /** Back to "nothing to do". */
    public Offload clear() {
        return set(0, VIRTIO_NET_HDR_GSO_NONE, 0, 0, 0, 0);
    }

    public Offload set(int flags, int gsoType, int gsoSize, int headerLength, int checksumStart, int checksumOffset) {
        if (frozen) {
            throw new UnsupportedOperationException("Offload.NONE cannot change");
        }
        this.flags = flags;
        this.gsoType = gsoType;
        this.gsoSize = gsoSize;
        this.headerLength = headerLength;
        this.checksumStart = checksumStart;
        this.checksumOffset = checksumOffset;
        return this;
    }

    /** Reads a {@code struct virtio_net_hdr} at {@code header[offset]}. */
    public Offload readFrom(MemorySegment header, long offset) {
        return set(Byte.toUnsignedInt((byte) VirtioNetHdr.FLAGS.get(header, offset)),
                Byte.toUnsignedInt((byte) VirtioNetHdr.GSO_TYPE.get(header, offset)),
                Short.toUnsignedInt((short) VirtioNetHdr.GSO_SIZE.get(header, offset)),
                Short.toUnsignedInt((short) VirtioNetHdr.HDR_LEN.get(header, offset)),
                Short.toUnsignedInt((short) VirtioNetHdr.CSUM_START.get(header, offset)),
                Short.toUnsignedInt((short) VirtioNetHdr.CSUM_OFFSET.get(header, offset)));
    }

    /**
     * Writes this state as a {@code struct virtio_net_hdr} at {@code header[offset]} for a frame of
     * {@code frameLength} bytes into which {@code shift} bytes (a re-inserted tag) went before the L3
     * header. RX-only flags (DATA_VALID) are left out. hdr_len is how much of the frame the kernel copies
     * into the new skb's linear part (af_packet.c tpacket_snd); the rest it maps from the ring's pages:
     * <ul>
     *   <li>a super-frame: its headers, and the payload stays in the ring's pages;</li>
     *   <li>any other frame: all of it. One small copy is cheaper than mapping a page for it, and on a
     *       veth, which must copy mapped ring pages anyway before the frame enters another namespace
     *       (net/core/dev.c __dev_forward_skb, skb_orphan_frags), it is one copy instead of a page
     *       allocation and a copy.</li>
     * </ul>
     * It never exceeds the frame: the kernel refuses that (__packet_snd_vnet_parse).
     */
    public void writeTo(MemorySegment header, long offset, int shift, int frameLength) {
        boolean partial = needsChecksum();
        boolean segmented = gso();
        int hdrLen = segmented ? Math.min(headerLength + shift, frameLength) : frameLength;
        VirtioNetHdr.FLAGS.set(header, offset, (byte) (partial ? VIRTIO_NET_HDR_F_NEEDS_CSUM : 0));
        VirtioNetHdr.GSO_TYPE.set(header, offset, (byte) (segmented ? gsoType : VIRTIO_NET_HDR_GSO_NONE));
        VirtioNetHdr.HDR_LEN.set(header, offset, (short) hdrLen);
        VirtioNetHdr.GSO_SIZE.set(header, offset, (short) (segmented ? gsoSize : 0));
        VirtioNetHdr.CSUM_START.set(header, offset, (short) (partial ? checksumStart + shift : 0));
        VirtioNetHdr.CSUM_OFFSET.set(header, offset, (short) (partial ? checksumOffset : 0));
    }

    /** Copies another frame's state (a test double queues it per frame). */
    public Offload copyOf(Offload other) {
        return set(other.flags, other.gsoType, other.gsoSize, other.headerLength, other.checksumStart,
                other.checksumOffset);
    }

    @Override
    public String toString() {
        if (!gso() && !needsChecksum()) {
            return "Offload{none}";
        }
        return "Offload{" + (gso() ? "gso type " + gsoType + " size " + gsoSize + ", " : "")
                + (needsChecksum() ? "csum " + checksumStart + "+" + checksumOffset + ", " : "")
                + "hdr_len " + headerLength + "}";
    }
}
