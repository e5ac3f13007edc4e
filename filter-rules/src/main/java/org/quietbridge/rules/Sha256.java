package org.quietbridge.rules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, which every JDK has: the rule set's digest ({@link CompiledRules#digest()}), and in the management
 * API the token's hash and the dashboard script's Content-Security-Policy hash.
 */
public final class Sha256 {
    private Sha256() {
    }

    /** The digest of {@code data}. */
    public static byte[] of(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The digest of {@code text}'s UTF-8 bytes, in lower-case hex. */
    public static String hex(String text) {
        return HexFormat.of().formatHex(of(text.getBytes(StandardCharsets.UTF_8)));
    }
}
