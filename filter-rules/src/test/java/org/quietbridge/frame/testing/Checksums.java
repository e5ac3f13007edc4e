package org.quietbridge.frame.testing;

/** RFC 1071 Internet checksum over byte arrays, for building and checking test frames. */
public final class Checksums {
    private Checksums() {
    }

    /** Ones'-complement sum of the pseudo header (RFC 768 / RFC 9293), not yet folded. */
    public static int pseudoHeaderSum(int source, int destination, int protocol, int l4Length) {
        long sum = (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF)
                + protocol + l4Length;
        return (int) sum;
    }

    /** The checksum field value for {@code a[off, off+len)} plus an initial partial sum. */
    public static int internet(byte[] a, int off, int len, int initial) {
        long sum = initial & 0xFFFF_FFFFL;
        int i = off;
        for (; i + 1 < off + len; i += 2) {
            sum += ((a[i] & 0xFF) << 8) | (a[i + 1] & 0xFF);
        }
        if (i < off + len) {
            sum += (a[i] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /** True when an IPv4 header's checksum verifies. */
    public static boolean ipv4HeaderValid(byte[] frame, int l3Offset) {
        int ihl = (frame[l3Offset] & 0xF) * 4;
        return internet(frame, l3Offset, ihl, 0) == 0;
    }
}
