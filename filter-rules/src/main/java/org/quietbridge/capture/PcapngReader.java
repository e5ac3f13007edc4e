package org.quietbridge.capture;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads a pcapng file (draft-ietf-opsawg-pcapng): Section Header, Interface Description,
 * Enhanced Packet, Simple Packet and (obsolete) Packet blocks; every other block is skipped.
 *
 * <pre>
 * every block                        Enhanced Packet Block (type 6)
 * +-------------------------------+  +-------------------------------+
 * | block type                    |  | interface id                  |
 * | block total length            |  | timestamp (upper 32 bits)     |
 * | body ...                      |  | timestamp (lower 32 bits)     |
 * | block total length (again)    |  | captured length               |
 * +-------------------------------+  | original length               |
 *                                    | packet data, padded to 32 bits|
 *                                    | options                       |
 *                                    +-------------------------------+
 * </pre>
 *
 * Each Section Header Block sets the byte order of its section (its byte-order magic
 * 0x1A2B3C4D reads correctly only in the writer's order) and starts a new list of
 * interfaces. Each Interface Description Block gives its interface's link type, snap length,
 * timestamp resolution ({@code if_tsresol}) and offset ({@code if_tsoffset}). A packet on an
 * interface that is not Ethernet is an error that names the link type.
 */
final class PcapngReader extends CaptureReader {
    static final int BLOCK_SECTION_HEADER = 0x0A0D_0D0A;
    static final int BLOCK_INTERFACE_DESCRIPTION = 0x0000_0001;
    static final int BLOCK_PACKET_OBSOLETE = 0x0000_0002;
    static final int BLOCK_SIMPLE_PACKET = 0x0000_0003;
    static final int BLOCK_ENHANCED_PACKET = 0x0000_0006;
    static final int BYTE_ORDER_MAGIC = 0x1A2B_3C4D;

    /** Type and total length; the trailing total length. */
    static final int BLOCK_HEADER_LENGTH = 8;
    static final int BLOCK_TRAILER_LENGTH = 4;
    static final int MIN_SECTION_HEADER_LENGTH = 28;
    static final int MIN_INTERFACE_DESCRIPTION_LENGTH = 20;
    /** Header, the five fixed words of an EPB (or OPB), trailer. */
    static final int MIN_PACKET_LENGTH = 32;
    static final int MIN_SIMPLE_PACKET_LENGTH = 16;

    static final int OPT_ENDOFOPT = 0;
    static final int OPT_IF_TSRESOL = 9;
    static final int OPT_IF_TSOFFSET = 14;

    private static final long[] POWERS_OF_TEN = {
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L,
        10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L, 100_000_000_000_000L,
        1_000_000_000_000_000L, 10_000_000_000_000_000L, 100_000_000_000_000_000L, 1_000_000_000_000_000_000L,
    };

    private ValueLayout.OfInt u32;
    private ValueLayout.OfShort u16;
    private ValueLayout.OfLong u64;
    private final byte[] header = new byte[BLOCK_HEADER_LENGTH + 20];
    private final MemorySegment headerSegment = MemorySegment.ofArray(header);
    private byte[] scratch = new byte[1 << 16];
    private MemorySegment scratchSegment = MemorySegment.ofArray(scratch);

    // Interfaces of the current section, indexed by interface id.
    private int interfaces;
    private int[] linkType = new int[4];
    private int[] snapLength = new int[4];
    /** if_tsresol: units per second are 10^exponent, or 2^exponent when binary. */
    private int[] resolutionExponent = new int[4];
    private boolean[] binaryResolution = new boolean[4];
    private long[] offsetNanos = new long[4];

    private PcapngReader(String source, CaptureInput input) {
        super(source, input);
    }

    /** Opens a pcapng file whose first four bytes (the SHB type) were read into {@code magic}. */
    static PcapngReader open(String source, CaptureInput input, byte[] magic) throws IOException {
        PcapngReader reader = new PcapngReader(source, input);
        System.arraycopy(magic, 0, reader.header, 0, 4);
        int n = input.read(reader.header, 4, 4);
        if (n < 4) {
            throw new CaptureFormatException(source, 0, "truncated pcapng section header block");
        }
        reader.readSectionHeader(0);
        return reader;
    }

    @Override
    public boolean next() throws IOException {
        while (true) {
            long at = input.position();
            int n = input.read(header, 0, BLOCK_HEADER_LENGTH);
            if (n == 0) {
                return false;
            }
            if (n < BLOCK_HEADER_LENGTH) {
                throw truncated(at, "block header: " + n + " of 8 bytes");
            }
            int type = headerSegment.get(u32, 0);
            if (type == BLOCK_SECTION_HEADER) {
                readSectionHeader(at);
                continue;
            }
            int length = blockLength(at, headerSegment.get(u32, 4), BLOCK_HEADER_LENGTH + BLOCK_TRAILER_LENGTH);
            switch (type) {
                case BLOCK_INTERFACE_DESCRIPTION -> readInterfaceDescription(at, length);
                case BLOCK_ENHANCED_PACKET, BLOCK_PACKET_OBSOLETE -> {
                    readPacket(at, length, type == BLOCK_PACKET_OBSOLETE);
                    return true;
                }
                case BLOCK_SIMPLE_PACKET -> {
                    readSimplePacket(at, length);
                    return true;
                }
                default -> finishBlock(at, length, BLOCK_HEADER_LENGTH);
            }
        }
    }

    @Override
    public Format format() {
        return Format.PCAPNG;
    }

    /** Reads an SHB whose type and length words are in {@code header[0, 8)}. */
    private void readSectionHeader(long at) throws IOException {
        int n = input.read(header, 8, 4);
        if (n < 4) {
            throw truncated(at, "section header block: no byte-order magic");
        }
        int magic = headerSegment.get(BIG_U32, 8);
        ByteOrder order;
        if (magic == BYTE_ORDER_MAGIC) {
            order = ByteOrder.BIG_ENDIAN;
        } else if (magic == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else {
            throw corrupt(at + 8, String.format("bad pcapng byte-order magic 0x%08x", magic));
        }
        u32 = u32(order);
        u16 = u16(order);
        u64 = u64(order);
        int length = blockLength(at, headerSegment.get(u32, 4), MIN_SECTION_HEADER_LENGTH);
        readBody(at, length - BLOCK_HEADER_LENGTH - 4 - BLOCK_TRAILER_LENGTH);
        int major = scratchSegment.get(u16, 0) & 0xFFFF;
        if (major != 1) {
            int minor = scratchSegment.get(u16, 2) & 0xFFFF;
            throw corrupt(at + 12, "unsupported pcapng version " + major + "." + minor);
        }
        readTrailer(at, length);
        interfaces = 0;
    }

    private void readInterfaceDescription(long at, int length) throws IOException {
        if (length < MIN_INTERFACE_DESCRIPTION_LENGTH) {
            throw corrupt(at, "interface description block of " + length + " bytes, less than 20");
        }
        int bodyLength = length - BLOCK_HEADER_LENGTH - BLOCK_TRAILER_LENGTH;
        readBody(at, bodyLength);
        if (interfaces == linkType.length) {
            int grown = interfaces * 2;
            linkType = Arrays.copyOf(linkType, grown);
            snapLength = Arrays.copyOf(snapLength, grown);
            resolutionExponent = Arrays.copyOf(resolutionExponent, grown);
            binaryResolution = Arrays.copyOf(binaryResolution, grown);
            offsetNanos = Arrays.copyOf(offsetNanos, grown);
        }
        int id = interfaces;
        linkType[id] = scratchSegment.get(u16, 0) & 0xFFFF;
        snapLength[id] = scratchSegment.get(u32, 4);
        resolutionExponent[id] = 6;
        binaryResolution[id] = false;
        offsetNanos[id] = 0;
        int p = 8;
        while (p + 4 <= bodyLength) {
            int code = scratchSegment.get(u16, p) & 0xFFFF;
            int optionLength = scratchSegment.get(u16, p + 2) & 0xFFFF;
            if (code == OPT_ENDOFOPT) {
                break;
            }
            long optionAt = at + BLOCK_HEADER_LENGTH + p;
            if (p + 4 + optionLength > bodyLength) {
                throw corrupt(optionAt, "interface option " + code + " runs past the end of its block");
            }
            if (code == OPT_IF_TSRESOL && optionLength >= 1) {
                int resolution = scratch[p + 4] & 0xFF;
                binaryResolution[id] = (resolution & 0x80) != 0;
                resolutionExponent[id] = resolution & 0x7F;
                if (binaryResolution[id] ? resolutionExponent[id] > 63 : resolutionExponent[id] >= POWERS_OF_TEN.length) {
                    throw corrupt(optionAt, "unsupported timestamp resolution if_tsresol=0x" + Integer.toHexString(resolution));
                }
            } else if (code == OPT_IF_TSOFFSET && optionLength >= 8) {
                offsetNanos[id] = scratchSegment.get(u64, p + 4) * 1_000_000_000L;
            }
            p += 4 + ((optionLength + 3) & ~3);
        }
        readTrailer(at, length);
        interfaces++;
    }

    private void readPacket(long at, int length, boolean obsolete) throws IOException {
        if (length < MIN_PACKET_LENGTH) {
            throw corrupt(at, "packet block of " + length + " bytes, less than 32");
        }
        int n = input.read(header, BLOCK_HEADER_LENGTH, 20);
        if (n < 20) {
            throw truncated(at, "packet block: " + (BLOCK_HEADER_LENGTH + n) + " of " + length + " bytes");
        }
        int id = obsolete ? headerSegment.get(u16, 8) & 0xFFFF : headerSegment.get(u32, 8);
        long timestamp = ((headerSegment.get(u32, 12) & 0xFFFF_FFFFL) << 32) | (headerSegment.get(u32, 16) & 0xFFFF_FFFFL);
        long captured = headerSegment.get(u32, 20) & 0xFFFF_FFFFL;
        long original = headerSegment.get(u32, 24) & 0xFFFF_FFFFL;
        checkInterface(at, id);
        if (captured > length - MIN_PACKET_LENGTH) {
            throw corrupt(at, "packet claims " + captured + " captured bytes in a block of " + length + " bytes");
        }
        readFrame(at, (int) captured);
        finishBlock(at, length, MIN_PACKET_LENGTH - BLOCK_TRAILER_LENGTH + (int) captured);
        capturedLength = (int) captured;
        originalLength = (int) Math.min(original, Integer.MAX_VALUE);
        interfaceId = id;
        timestampNanos = toNanos(id, timestamp);
        frames++;
    }

    private void readSimplePacket(long at, int length) throws IOException {
        if (length < MIN_SIMPLE_PACKET_LENGTH) {
            throw corrupt(at, "simple packet block of " + length + " bytes, less than 16");
        }
        int n = input.read(header, BLOCK_HEADER_LENGTH, 4);
        if (n < 4) {
            throw truncated(at, "simple packet block: " + (BLOCK_HEADER_LENGTH + n) + " of " + length + " bytes");
        }
        checkInterface(at, 0);
        long original = headerSegment.get(u32, 8) & 0xFFFF_FFFFL;
        // The captured length is implied: the original length cut to the snap length (0 = none).
        long captured = Math.min(original, length - MIN_SIMPLE_PACKET_LENGTH);
        if (snapLength[0] > 0) {
            captured = Math.min(captured, snapLength[0] & 0xFFFF_FFFFL);
        }
        readFrame(at, (int) captured);
        finishBlock(at, length, MIN_SIMPLE_PACKET_LENGTH - BLOCK_TRAILER_LENGTH + (int) captured);
        capturedLength = (int) captured;
        originalLength = (int) Math.min(original, Integer.MAX_VALUE);
        interfaceId = 0;
        timestampNanos = NO_TIMESTAMP;
        frames++;
    }

    private void checkInterface(long at, int id) throws CaptureFormatException {
        if (id < 0 || id >= interfaces) {
            throw corrupt(at, "packet on interface " + Integer.toUnsignedString(id) + ", but the section describes "
                    + interfaces + " interface" + (interfaces == 1 ? "" : "s"));
        }
        if (linkType[id] != LinkType.ETHERNET) {
            throw corrupt(at, LinkType.notEthernet("interface " + id, linkType[id]));
        }
    }

    private long toNanos(int id, long timestamp) {
        int exponent = resolutionExponent[id];
        long nanos;
        if (binaryResolution[id]) {
            long seconds = timestamp >>> exponent;
            long fraction = exponent == 0 ? 0 : timestamp & (-1L >>> (64 - exponent));
            // Keep fraction * 10^9 inside a long: at most 30 bits of fraction.
            int shift = Math.max(0, exponent - 30);
            nanos = seconds * 1_000_000_000L + (((fraction >>> shift) * 1_000_000_000L) >>> (exponent - shift));
        } else if (exponent <= 9) {
            nanos = timestamp * POWERS_OF_TEN[9 - exponent];
        } else {
            nanos = Long.divideUnsigned(timestamp, POWERS_OF_TEN[exponent - 9]);
        }
        return nanos + offsetNanos[id];
    }

    /** Validates a block's total length: a multiple of four, at least {@code minimum}, bounded. */
    private int blockLength(long at, int raw, int minimum) throws CaptureFormatException {
        long length = raw & 0xFFFF_FFFFL;
        if (length > MAX_BLOCK_LENGTH) {
            throw corrupt(at, "block claims " + length + " bytes, more than the " + (MAX_BLOCK_LENGTH >> 20) + " MiB limit");
        }
        if (length < minimum || (length & 3) != 0) {
            throw corrupt(at, "bad block total length " + length);
        }
        return (int) length;
    }

    /** Reads {@code length} body bytes into the scratch buffer. */
    private void readBody(long at, int length) throws IOException {
        if (scratch.length < length) {
            scratch = new byte[length];
            scratchSegment = MemorySegment.ofArray(scratch);
        }
        int n = input.read(scratch, 0, length);
        if (n < length) {
            throw truncated(at, "block: body " + n + " of " + length + " bytes");
        }
    }

    /** Skips the rest of a block after {@code consumed} of its bytes, then checks its trailer. */
    private void finishBlock(long at, int length, int consumed) throws IOException {
        long rest = (long) length - BLOCK_TRAILER_LENGTH - consumed;
        if (rest < 0) {
            throw corrupt(at, "block contents overrun its total length " + length);
        }
        long skipped = input.skip(rest, scratch);
        if (skipped < rest) {
            throw truncated(at, "block: " + (consumed + skipped) + " of " + length + " bytes");
        }
        readTrailer(at, length);
    }

    private void readTrailer(long at, int length) throws IOException {
        int n = input.read(header, 0, BLOCK_TRAILER_LENGTH);
        if (n < BLOCK_TRAILER_LENGTH) {
            throw truncated(at, "block: no trailing total length");
        }
        long trailing = headerSegment.get(u32, 0) & 0xFFFF_FFFFL;
        if (trailing != length) {
            throw corrupt(at, "block total length " + length + " at the start but " + trailing + " at the end");
        }
    }
}
