package org.quietbridge.capture;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads Ethernet frames from a classic pcap or a pcapng capture, one at a time, into a
 * reusable buffer.
 *
 * <pre>{@code
 * try (CaptureReader capture = CaptureReader.open(path)) {
 *     while (capture.next()) {
 *         view.wrap(capture.frame(), 0, capture.capturedLength());
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #next} allocates nothing once the buffer has grown to the largest frame. The
 * format is told by the file's first four bytes. Damage never costs more memory than
 * {@link #MAX_BLOCK_LENGTH}: a record or block that claims more, a short read or a
 * length that does not add up raises a {@link CaptureFormatException} naming the byte offset.
 * Not thread-safe.
 */
public abstract sealed class CaptureReader implements AutoCloseable permits PcapReader, PcapngReader {
    /** The largest record or block accepted: damage never costs more memory than this. */
    public static final int MAX_BLOCK_LENGTH = 16 << 20;
    /** {@link #timestampNanos()} of a frame whose record has no timestamp (pcapng SPB). */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;

    static final int MAGIC_PCAP_MICROS = 0xA1B2_C3D4;
    static final int MAGIC_PCAP_NANOS = 0xA1B2_3C4D;
    static final int MAGIC_PCAPNG = 0x0A0D_0D0A;

    /** What kind of file a reader reads. */
    public enum Format {
        PCAP,
        PCAPNG
    }

    final String source;
    final CaptureInput input;
    /** Holds the current frame at offset 0. */
    byte[] frameBytes = new byte[2048];
    MemorySegment frame = MemorySegment.ofArray(frameBytes);
    int capturedLength;
    int originalLength;
    long timestampNanos = NO_TIMESTAMP;
    int interfaceId;
    long frames;

    CaptureReader(String source, CaptureInput input) {
        this.source = source;
        this.input = input;
    }

    /** Opens a capture file, telling pcap from pcapng by its magic number. */
    public static CaptureReader open(Path path) throws IOException {
        return open(Files.newInputStream(path), path.toString());
    }

    /**
     * Reads a capture from a stream (a pipe, standard input); the reader closes it.
     *
     * @param source the name errors use for this capture
     */
    public static CaptureReader open(InputStream stream, String source) throws IOException {
        CaptureInput input = new CaptureInput(new BufferedInputStream(stream, 1 << 16));
        try {
            byte[] magic = new byte[4];
            int n = input.read(magic, 0, 4);
            if (n < 4) {
                throw new CaptureFormatException(source, 0,
                        n == 0 ? "empty file, not a pcap or pcapng capture" : "truncated: " + n + " bytes, no capture header");
            }
            int big = MemorySegment.ofArray(magic).get(BIG_U32, 0);
            if (big == MAGIC_PCAPNG) {
                return PcapngReader.open(source, input, magic);
            }
            if (big == MAGIC_PCAP_MICROS || big == MAGIC_PCAP_NANOS) {
                return PcapReader.open(source, input, ByteOrder.BIG_ENDIAN, big == MAGIC_PCAP_NANOS);
            }
            if (big == Integer.reverseBytes(MAGIC_PCAP_MICROS) || big == Integer.reverseBytes(MAGIC_PCAP_NANOS)) {
                return PcapReader.open(source, input, ByteOrder.LITTLE_ENDIAN,
                        big == Integer.reverseBytes(MAGIC_PCAP_NANOS));
            }
            if ((big >>> 16) == 0x1F8B) {
                throw new CaptureFormatException(source, 0, "gzip-compressed; decompress it first (gunzip)");
            }
            throw new CaptureFormatException(source, 0,
                    String.format("not a pcap or pcapng capture (magic 0x%08x)", big));
        } catch (IOException | RuntimeException e) {
            input.close();
            throw e;
        }
    }

    /**
     * Advances to the next frame.
     *
     * @return false at the clean end of the capture
     * @throws CaptureFormatException when the capture is truncated or corrupt
     */
    public abstract boolean next() throws IOException;

    /** Pcap or pcapng. */
    public abstract Format format();

    /**
     * The reusable buffer holding the current frame in bytes {@code [0, capturedLength())}. It
     * may be longer than the frame, and it may be a different segment after the next call to
     * {@link #next}.
     */
    public MemorySegment frame() {
        return frame;
    }

    /** Bytes of the current frame in the capture (at most the snap length). */
    public int capturedLength() {
        return capturedLength;
    }

    /** Bytes the frame had on the wire. */
    public int originalLength() {
        return originalLength;
    }

    /** Capture time in nanoseconds since the epoch, or {@link #NO_TIMESTAMP}. */
    public long timestampNanos() {
        return timestampNanos;
    }

    /** The pcapng interface the frame was captured on; 0 for classic pcap. */
    public int interfaceId() {
        return interfaceId;
    }

    /** Frames returned so far. */
    public long frames() {
        return frames;
    }

    /** The name errors use for this capture. */
    public String source() {
        return source;
    }

    @Override
    public void close() throws IOException {
        input.close();
    }

    /** Reads the next {@code length} frame bytes into the frame buffer, growing it if needed. */
    final void readFrame(long at, int length) throws IOException {
        if (frameBytes.length < length) {
            frameBytes = new byte[Math.max(length, Math.min(MAX_BLOCK_LENGTH, frameBytes.length * 2))];
            frame = MemorySegment.ofArray(frameBytes);
        }
        int n = input.read(frameBytes, 0, length);
        if (n < length) {
            throw truncated(at, "frame data: " + n + " of " + length + " bytes");
        }
    }

    final CaptureFormatException truncated(long at, String what) {
        return new CaptureFormatException(source, at, "truncated " + what);
    }

    final CaptureFormatException corrupt(long at, String what) {
        return new CaptureFormatException(source, at, what);
    }

    static final ValueLayout.OfInt BIG_U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    static ValueLayout.OfInt u32(ByteOrder order) {
        return ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
    }

    static ValueLayout.OfShort u16(ByteOrder order) {
        return ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
    }

    static ValueLayout.OfLong u64(ByteOrder order) {
        return ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order);
    }
}
