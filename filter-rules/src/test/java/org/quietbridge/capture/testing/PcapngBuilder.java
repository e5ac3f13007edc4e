package org.quietbridge.capture.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes pcapng blocks byte for byte as draft-ietf-opsawg-pcapng lays them out, so tests can
 * build captures (odd ones included) without a capture library. A section's byte order is
 * chosen at {@link #section}; one builder may hold several sections.
 *
 * <pre>{@code
 * byte[] file = new PcapngBuilder().section(ByteOrder.BIG_ENDIAN)
 *         .interfaceDescription(1, 65535).enhancedPacket(0, 1_000_000L, frame).bytes();
 * }</pre>
 */
public final class PcapngBuilder {
    public static final int SHB = 0x0A0D0D0A;
    public static final int IDB = 1;
    public static final int SPB = 3;
    public static final int NRB = 4;
    public static final int EPB = 6;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

    /** Starts a section: an SHB (version 1.0, section length -1, no options). */
    public PcapngBuilder section(ByteOrder byteOrder) {
        this.order = byteOrder;
        ByteBuffer body = buffer(16);
        body.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L);
        return block(SHB, body.array());
    }

    /** An IDB with no options (timestamps in microseconds). */
    public PcapngBuilder interfaceDescription(int linkType, int snapLength) {
        return interfaceDescription(linkType, snapLength, new byte[0]);
    }

    /** An IDB with options already encoded (see {@link #option}). */
    public PcapngBuilder interfaceDescription(int linkType, int snapLength, byte[] options) {
        ByteBuffer body = buffer(8 + options.length);
        body.putShort((short) linkType).putShort((short) 0).putInt(snapLength).put(options);
        return block(IDB, body.array());
    }

    /** An EPB with the timestamp in the interface's units; captured length = frame length. */
    public PcapngBuilder enhancedPacket(int interfaceId, long timestamp, byte[] frame) {
        return enhancedPacket(interfaceId, timestamp, frame, frame.length, new byte[0]);
    }

    public PcapngBuilder enhancedPacket(int interfaceId, long timestamp, byte[] frame, int originalLength,
            byte[] options) {
        int padded = pad(frame.length);
        ByteBuffer body = buffer(20 + padded + options.length);
        body.putInt(interfaceId).putInt((int) (timestamp >>> 32)).putInt((int) timestamp)
                .putInt(frame.length).putInt(originalLength).put(frame);
        body.position(20 + padded);
        body.put(options);
        return block(EPB, body.array());
    }

    /** An SPB: original length, then the frame (cut to the interface's snap length by the writer). */
    public PcapngBuilder simplePacket(byte[] frame, int originalLength) {
        ByteBuffer body = buffer(4 + pad(frame.length));
        body.putInt(originalLength).put(frame);
        return block(SPB, body.array());
    }

    /** Any block: type, total length, body padded to 32 bits, total length. */
    public PcapngBuilder block(int type, byte[] body) {
        int length = 12 + pad(body.length);
        ByteBuffer b = buffer(length);
        b.putInt(type).putInt(length).put(body);
        b.position(length - 4);
        b.putInt(length);
        out.writeBytes(b.array());
        return this;
    }

    /** Raw bytes, for damage on purpose. */
    public PcapngBuilder raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** One option in the current section's byte order: code, length, value padded to 32 bits. */
    public byte[] option(int code, byte[] value) {
        ByteBuffer b = buffer(4 + pad(value.length));
        b.putShort((short) code).putShort((short) value.length).put(value);
        return b.array();
    }

    /** A 64-bit option value in the current section's byte order. */
    public byte[] int64(long value) {
        return buffer(8).putLong(value).array();
    }

    /** Concatenates options and appends opt_endofopt. */
    public static byte[] options(byte[]... options) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] o : options) {
            b.writeBytes(o);
        }
        b.writeBytes(new byte[4]);
        return b.toByteArray();
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    private ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(order);
    }

    private static int pad(int n) {
        return (n + 3) & ~3;
    }
}
