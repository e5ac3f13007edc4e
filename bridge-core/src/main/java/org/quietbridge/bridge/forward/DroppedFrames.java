package org.quietbridge.bridge.forward;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.quietbridge.bridge.port.TxFrameCopy;

/**
 * The last {@code capacity} frames the rules dropped, kept for diagnosis (written to a pcap on
 * SIGUSR1). A preallocated ring of fixed-size slots: recording copies the frame (up to
 * {@link #SNAP_LENGTH} bytes) and allocates nothing. Data-plane thread only.
 */
public final class DroppedFrames {
    /** Bytes kept per frame: a whole 1500-MTU frame with two tags. */
    public static final int SNAP_LENGTH = 1522;

    private final int capacity;
    private final MemorySegment slots;
    private final int[] captured;
    private final int[] original;
    private final long[] timestamps;
    private long recorded;

    public DroppedFrames(int capacity) {
        this.capacity = capacity;
        this.slots = Arena.ofAuto().allocate((long) capacity * SNAP_LENGTH);
        this.captured = new int[capacity];
        this.original = new int[capacity];
        this.timestamps = new long[capacity];
    }

    /**
     * Keeps a copy of a dropped frame; the out-of-band tag is put back in so the capture shows
     * the frame as it was on the wire.
     */
    public void record(MemorySegment src, long offset, int length, int tpid, int tci, long wallNanos) {
        if (capacity == 0) {
            return;
        }
        int slot = (int) (recorded % capacity);
        long base = (long) slot * SNAP_LENGTH;
        int total = tpid != 0 && length >= 12 ? length + 4 : length;
        int keep = TxFrameCopy.copyPrefix(src, offset, length, tpid, tci, slots, base, SNAP_LENGTH);
        captured[slot] = keep;
        original[slot] = total;
        timestamps[slot] = wallNanos;
        recorded++;
    }

    /** A kept frame. */
    public record Frame(byte[] bytes, int originalLength, long timestampNanos) {
    }

    /** The kept frames, oldest first. Data-plane thread (through BridgeAgent.submit). */
    public List<Frame> snapshot() {
        int n = (int) Math.min(recorded, capacity);
        List<Frame> out = new ArrayList<>(n);
        for (long k = recorded - n; k < recorded; k++) {
            int slot = (int) (k % capacity);
            byte[] bytes = slots.asSlice((long) slot * SNAP_LENGTH, captured[slot]).toArray(
                    java.lang.foreign.ValueLayout.JAVA_BYTE);
            out.add(new Frame(bytes, original[slot], timestamps[slot]));
        }
        return out;
    }

    public long recorded() {
        return recorded;
    }

    public int capacity() {
        return capacity;
    }
}
