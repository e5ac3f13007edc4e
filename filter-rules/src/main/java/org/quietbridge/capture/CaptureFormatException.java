package org.quietbridge.capture;

import java.io.IOException;

/**
 * A capture file that cannot be read as pcap or pcapng: truncated, corrupt, or of a link type
 * other than Ethernet. The message is one line, {@code SOURCE: byte N: what is wrong}, where N
 * is the offset of the record or block at fault.
 */
public final class CaptureFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long offset;
    private final String detail;

    public CaptureFormatException(String source, long offset, String detail) {
        super(source + ": byte " + offset + ": " + detail);
        this.source = source;
        this.offset = offset;
        this.detail = detail;
    }

    /** The file name (or other label) the capture was opened with. */
    public String source() {
        return source;
    }

    /** Byte offset, from the start of the file, of the header, record or block at fault. */
    public long offset() {
        return offset;
    }

    /** What is wrong, without the source and offset. */
    public String detail() {
        return detail;
    }
}
