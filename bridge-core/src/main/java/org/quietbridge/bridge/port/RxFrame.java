package org.quietbridge.bridge.port;

import java.lang.foreign.MemorySegment;

/**
 * A received frame, as a reusable mutable view: a port re-points it at each frame, so receiving
 * allocates nothing. The bytes stay in the port's RX slot and are valid until the port's
 * {@link FramePort#release()}.
 *
 * <p>The kernel strips the outermost VLAN tag and reports it beside the frame; {@link #vlanTpid()} is
 * 0 when there was no tag, so a VID 0 (priority-tagged) frame is told apart from an untagged one.
 * An inner tag (QinQ) stays in the frame bytes.
 */
public final class RxFrame {
    private MemorySegment segment = MemorySegment.NULL;
    private long offset;
    private int length;
    private int wireLength;
    private int vlanTpid;
    private int vlanTci;
    private boolean csumNotReady;
    private long timestampNanos = Long.MAX_VALUE;
    private final Offload offload = new Offload();

    /** The memory the frame is in (the ring slot); the frame starts at {@link #offset()}. */
    public MemorySegment segment() {
        return segment;
    }

    /** Offset of the frame's first byte (destination MAC) in {@link #segment()}. */
    public long offset() {
        return offset;
    }

    /** Captured bytes in the slot (tp_snaplen), without the stripped tag. */
    public int length() {
        return length;
    }

    /** The frame's length as it arrived (tp_len), without the stripped tag. */
    public int wireLength() {
        return wireLength;
    }

    /** TPID of the stripped outer tag (0x8100, 0x88a8, ...), or 0 if the frame had none. */
    public int vlanTpid() {
        return vlanTpid;
    }

    /** TCI of the stripped outer tag (PCP:3, DEI:1, VID:12); meaningful only if {@link #vlanTpid()} != 0. */
    public int vlanTci() {
        return vlanTci;
    }

    /** The VID of the stripped outer tag. */
    public int vlanId() {
        return vlanTci & 0x0FFF;
    }

    /**
     * The L4 checksum is not filled in (TP_STATUS_CSUM_NOT_READY): the sender relied on checksum
     * offload and the frame never was on a wire. Forwarded as is, it fails its checksum on the far side.
     */
    public boolean csumNotReady() {
        return csumNotReady;
    }

    /**
     * What the sender's offloads left to do: segmentation of a super-frame, a partial checksum. Filled in
     * by ports that receive virtio-net headers; "nothing" for the others ({@link #set} clears it).
     */
    public Offload offload() {
        return offload;
    }

    /** The slot holds fewer bytes than arrived (tp_snaplen < tp_len); such a frame must not be forwarded. */
    public boolean truncated() {
        return length < wireLength;
    }

    /**
     * When the kernel received the frame (tp_sec/tp_nsec: wall clock, nanoseconds since the epoch);
     * {@link Long#MAX_VALUE} where the port does not know ({@link #set} leaves it so, for
     * {@link #timestamp} to fill in).
     */
    public long timestampNanos() {
        return timestampNanos;
    }

    /** Sets {@link #timestampNanos()}; used by ports after {@link #set}. */
    public RxFrame timestamp(long epochNanos) {
        this.timestampNanos = epochNanos;
        return this;
    }

    /** Re-points this view and clears its {@link #offload()} and timestamp; used by ports. */
    public RxFrame set(MemorySegment segment, long offset, int length, int wireLength,
                       int vlanTpid, int vlanTci, boolean csumNotReady) {
        this.segment = segment;
        this.offset = offset;
        this.length = length;
        this.wireLength = wireLength;
        this.vlanTpid = vlanTpid;
        this.vlanTci = vlanTci;
        this.csumNotReady = csumNotReady;
        this.timestampNanos = Long.MAX_VALUE;
        offload.clear();
        return this;
    }

    @Override
    public String toString() {
        return "RxFrame{length=" + length + ", wireLength=" + wireLength
                + (vlanTpid != 0 ? ", tag=0x" + Integer.toHexString(vlanTpid) + "/0x" + Integer.toHexString(vlanTci) : "")
                + (csumNotReady ? ", csumNotReady" : "") + (offload.gso() || offload.needsChecksum() ? ", " + offload : "")
                + "}";
    }
}
