package org.quietbridge.capture;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes Ethernet frames as a classic pcap file (link type 1), microsecond timestamps by
 * default, in the format {@link PcapReader} and tcpdump read. Frames longer than the snap
 * length are cut to it, and the record keeps their original length.
 *
 * <p>Writing a frame allocates nothing once the copy buffer has grown to the largest frame.
 * Not thread-safe. Used by tests, and by the data plane to dump dropped frames.
 */
public final class PcapWriter implements AutoCloseable {
    /** tcpdump's default snap length. */
    public static final int DEFAULT_SNAP_LENGTH = 262_144;

    private final OutputStream out;
    private final boolean nanosecond;
    private final int snapLength;
    private final ValueLayout.OfInt u32;
    private final byte[] record = new byte[PcapReader.RECORD_HEADER_LENGTH];
    private final MemorySegment recordSegment = MemorySegment.ofArray(record);
    private byte[] copy = new byte[2048];
    private long frames;
    private boolean closed;

    /**
     * Writes the file header to {@code out} at once.
     *
     * @param order byte order of the header fields (readers accept both)
     * @param nanosecond write the nanosecond magic 0xa1b23c4d instead of microseconds
     * @param snapLength frames are cut to this many bytes
     */
    public PcapWriter(OutputStream out, ByteOrder order, boolean nanosecond, int snapLength) throws IOException {
        if (snapLength <= 0 || snapLength > CaptureReader.MAX_BLOCK_LENGTH) {
            throw new IllegalArgumentException("snap length " + snapLength + " out of range");
        }
        this.out = out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 1 << 16);
        this.nanosecond = nanosecond;
        this.snapLength = snapLength;
        this.u32 = CaptureReader.u32(order);
        byte[] header = new byte[PcapReader.FILE_HEADER_LENGTH];
        MemorySegment h = MemorySegment.ofArray(header);
        h.set(u32, 0, nanosecond ? CaptureReader.MAGIC_PCAP_NANOS : CaptureReader.MAGIC_PCAP_MICROS);
        h.set(CaptureReader.u16(order), 4, (short) 2);
        h.set(CaptureReader.u16(order), 6, (short) 4);
        h.set(u32, PcapReader.SNAPLEN_OFFSET, snapLength);
        h.set(u32, PcapReader.LINK_TYPE_OFFSET, LinkType.ETHERNET);
        this.out.write(header);
    }

    /** A microsecond, native-byte-order writer with the default snap length. */
    public PcapWriter(OutputStream out) throws IOException {
        this(out, ByteOrder.nativeOrder(), false, DEFAULT_SNAP_LENGTH);
    }

    /** Creates (or truncates) {@code path} and writes a microsecond pcap to it. */
    public static PcapWriter create(Path path) throws IOException {
        return new PcapWriter(Files.newOutputStream(path));
    }

    /** Writes {@code segment[offset, offset + length)} as one frame. */
    public void write(MemorySegment segment, long offset, int length, long timestampNanos) throws IOException {
        int captured = Math.min(length, snapLength);
        if (copy.length < captured) {
            copy = new byte[Math.max(captured, copy.length * 2)];
        }
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, copy, 0, captured);
        writeRecord(copy, 0, captured, length, timestampNanos);
    }

    /** Writes a whole array as one frame. */
    public void write(byte[] frame, long timestampNanos) throws IOException {
        writeRecord(frame, 0, Math.min(frame.length, snapLength), frame.length, timestampNanos);
    }

    private void writeRecord(byte[] data, int offset, int captured, int original, long timestampNanos)
            throws IOException {
        if (closed) {
            throw new IOException("pcap writer is closed");
        }
        long seconds = Math.floorDiv(timestampNanos, 1_000_000_000L);
        long nanos = Math.floorMod(timestampNanos, 1_000_000_000L);
        recordSegment.set(u32, 0, (int) seconds);
        recordSegment.set(u32, 4, (int) (nanosecond ? nanos : nanos / 1_000L));
        recordSegment.set(u32, 8, captured);
        recordSegment.set(u32, 12, original);
        out.write(record);
        out.write(data, offset, captured);
        frames++;
    }

    /** Frames written so far. */
    public long frames() {
        return frames;
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** Flushes and closes the stream; idempotent. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }
}
