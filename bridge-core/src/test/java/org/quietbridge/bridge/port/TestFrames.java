package org.quietbridge.bridge.port;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Builds Ethernet frames for port tests. */
final class TestFrames {
    static final byte[] DST = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
    static final byte[] SRC = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x02};
    /** IEEE 802 "local experimental" EtherType 1: nobody's stack answers it. */
    static final int EXPERIMENTAL = 0x88B5;

    private TestFrames() {
    }

    /** dst, src, EtherType, then a payload that starts with {@code marker} and fills up to {@code length}. */
    static byte[] untagged(int etherType, String marker, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(DST).put(SRC).putShort((short) etherType);
        putPayload(b, marker);
        return b.array();
    }

    /** dst, src, one tag (tpid, tci), EtherType, payload; {@code length} counts the tag. */
    static byte[] tagged(int tpid, int tci, int etherType, String marker, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(DST).put(SRC).putShort((short) tpid).putShort((short) tci).putShort((short) etherType);
        putPayload(b, marker);
        return b.array();
    }

    /** QinQ: outer tag, inner 802.1Q tag, EtherType, payload. */
    static byte[] doubleTagged(int outerTpid, int outerTci, int innerTci, int etherType, String marker, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(DST).put(SRC).putShort((short) outerTpid).putShort((short) outerTci)
                .putShort((short) 0x8100).putShort((short) innerTci).putShort((short) etherType);
        putPayload(b, marker);
        return b.array();
    }

    /** The frame without its outer tag (bytes 12..15), as the kernel hands it over. */
    static byte[] stripOuterTag(byte[] tagged) {
        byte[] frame = new byte[tagged.length - 4];
        System.arraycopy(tagged, 0, frame, 0, 12);
        System.arraycopy(tagged, 16, frame, 12, tagged.length - 16);
        return frame;
    }

    private static void putPayload(ByteBuffer b, String marker) {
        byte[] m = marker.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        b.put(m, 0, Math.min(m.length, b.remaining()));
        int i = 0;
        while (b.hasRemaining()) {
            b.put((byte) i++);
        }
    }

    static String hex(byte[] frame) {
        return HexFormat.of().formatHex(frame);
    }

    static byte[] unhex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    /**
     * The RFC 1071 sum over an untagged IPv4 UDP frame's pseudo header and datagram, as a receiver checks
     * it: 0 when the checksum in the frame is right (or absent).
     */
    static int udpChecksumOverIpv4(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        int ipHeader = (b.get(14) & 0x0F) * 4;
        int udp = 14 + ipHeader;
        int udpLength = b.getShort(udp + 4) & 0xFFFF;
        if (b.getShort(udp + 6) == 0) {
            return 0;
        }
        long sum = (b.getShort(26) & 0xFFFF) + (b.getShort(28) & 0xFFFF) + (b.getShort(30) & 0xFFFF)
                + (b.getShort(32) & 0xFFFF) + 17 + udpLength;
        for (int i = 0; i + 1 < udpLength; i += 2) {
            sum += b.getShort(udp + i) & 0xFFFF;
        }
        if ((udpLength & 1) != 0) {
            sum += (b.get(udp + udpLength - 1) & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
