package org.quietbridge.frame.testing;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

/**
 * Frames written out as hex, the way a capture tool dumps them, so a test can state its
 * bytes without going through {@link FrameBuilder}.
 *
 * <p>Whitespace is ignored and {@code #} starts a comment that runs to the end of the line:
 *
 * <pre>{@code
 * byte[] f = Hex.bytes("""
 *     ffffffffffff 001122334455   # dst, src
 *     8100 2064                   # 802.1Q, PCP 1, VID 100
 *     0806 ...
 *     """);
 * }</pre>
 */
public final class Hex {
    private Hex() {
    }

    /** The bytes of a commented hex dump. */
    public static byte[] bytes(String dump) {
        StringBuilder digits = new StringBuilder(dump.length());
        for (String line : dump.split("\n", -1)) {
            int hash = line.indexOf('#');
            String data = hash < 0 ? line : line.substring(0, hash);
            for (int i = 0; i < data.length(); i++) {
                char c = data.charAt(i);
                if (!Character.isWhitespace(c)) {
                    digits.append(c);
                }
            }
        }
        if (digits.length() % 2 != 0) {
            throw new IllegalArgumentException("odd number of hex digits (" + digits.length() + ") in: " + dump);
        }
        return HexFormat.of().parseHex(digits);
    }

    /** A heap segment over the bytes of a commented hex dump. */
    public static MemorySegment segment(String dump) {
        return MemorySegment.ofArray(bytes(dump));
    }

    /** Lower-case hex without separators, for failure messages. */
    public static String of(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
