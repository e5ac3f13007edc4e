package org.quietbridge.capture;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Reads a classic pcap file (tcpdump.org pcap-savefile, draft-ietf-opsawg-pcap), either byte
 * order, microsecond or nanosecond timestamps.
 *
 * <pre>
 * file header (24 bytes)               record header (16 bytes), then incl_len bytes of frame
 * +---------------------------------+  +---------------------------------+
 * | magic 0xa1b2c3d4 / 0xa1b23c4d   |  | ts_sec                          |
 * | version major 2 | minor 4       |  | ts_usec (ts_nsec for 0xa1b23c4d)|
 * | thiszone (reserved)             |  | incl_len (captured)             |
 * | sigfigs (reserved)              |  | orig_len (on the wire)          |
 * | snaplen                         |  +---------------------------------+
 * | FCS bits | link type            |
 * +---------------------------------+
 * </pre>
 *
 * The magic, read in the writer's byte order, tells the byte order of every other field.
 */
final class PcapReader extends CaptureReader {
    static final int FILE_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;
    static final int SNAPLEN_OFFSET = 16;
    static final int LINK_TYPE_OFFSET = 20;
    /** libpcap's LT_LINKTYPE(): the upper bits of the field carry FCS information. */
    static final int LINK_TYPE_MASK = 0x03FF_FFFF;

    private final ValueLayout.OfInt u32;
    private final boolean nanosecond;
    private final byte[] header = new byte[RECORD_HEADER_LENGTH];
    private final MemorySegment headerSegment = MemorySegment.ofArray(header);

    private PcapReader(String source, CaptureInput input, ByteOrder order, boolean nanosecond) {
        super(source, input);
        this.u32 = u32(order);
        this.nanosecond = nanosecond;
    }

    static PcapReader open(String source, CaptureInput input, ByteOrder order, boolean nanosecond)
            throws IOException {
        byte[] rest = new byte[FILE_HEADER_LENGTH];
        int n = input.read(rest, 4, FILE_HEADER_LENGTH - 4);
        if (n < FILE_HEADER_LENGTH - 4) {
            throw new CaptureFormatException(source, 0, "truncated pcap file header: " + (n + 4) + " of 24 bytes");
        }
        MemorySegment h = MemorySegment.ofArray(rest);
        int major = h.get(u16(order), 4) & 0xFFFF;
        if (major != 2) {
            int minor = h.get(u16(order), 6) & 0xFFFF;
            throw new CaptureFormatException(source, 4, "unsupported pcap version " + major + "." + minor);
        }
        int linkType = h.get(u32(order), LINK_TYPE_OFFSET) & LINK_TYPE_MASK;
        if (linkType != LinkType.ETHERNET) {
            throw new CaptureFormatException(source, LINK_TYPE_OFFSET, LinkType.notEthernet("the capture", linkType));
        }
        return new PcapReader(source, input, order, nanosecond);
    }

    @Override
    public boolean next() throws IOException {
        long at = input.position();
        int n = input.read(header, 0, RECORD_HEADER_LENGTH);
        if (n == 0) {
            return false;
        }
        if (n < RECORD_HEADER_LENGTH) {
            throw truncated(at, "record header: " + n + " of 16 bytes");
        }
        long seconds = headerSegment.get(u32, 0) & 0xFFFF_FFFFL;
        long fraction = headerSegment.get(u32, 4) & 0xFFFF_FFFFL;
        long included = headerSegment.get(u32, 8) & 0xFFFF_FFFFL;
        long original = headerSegment.get(u32, 12) & 0xFFFF_FFFFL;
        if (included > MAX_BLOCK_LENGTH) {
            throw corrupt(at, "record claims " + included + " captured bytes, more than the "
                    + (MAX_BLOCK_LENGTH >> 20) + " MiB limit");
        }
        readFrame(at, (int) included);
        capturedLength = (int) included;
        originalLength = (int) Math.min(original, Integer.MAX_VALUE);
        timestampNanos = seconds * 1_000_000_000L + (nanosecond ? fraction : fraction * 1_000L);
        frames++;
        return true;
    }

    @Override
    public Format format() {
        return Format.PCAP;
    }
}
