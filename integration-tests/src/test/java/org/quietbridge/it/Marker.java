package org.quietbridge.it;

import java.nio.charset.StandardCharsets;

/**
 * A frame's name tag: ASCII {@code <qb:NAME>} in its payload (or in Ethernet padding behind
 * the packet), so that a test finds its frame among whatever else a capture holds. The
 * closing bracket keeps {@code <qb:f-1>} from matching inside {@code <qb:f-10>}.
 */
public final class Marker {
    private Marker() {
    }

    public static byte[] of(String name) {
        return ("<qb:" + name + ">").getBytes(StandardCharsets.US_ASCII);
    }

    public static String text(byte[] marker) {
        return new String(marker, StandardCharsets.US_ASCII);
    }

    /** {@code head} followed by {@code marker}. */
    public static byte[] append(byte[] head, byte[] marker) {
        byte[] out = new byte[head.length + marker.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(marker, 0, out, head.length, marker.length);
        return out;
    }
}
