package org.quietbridge.bridge.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import org.quietbridge.rules.Sha256;

/**
 * Who may change the bridge through the API ({@code POST /api/reload}): a request from this server's own
 * origin, with the configured bearer token when there is one. Only the token's SHA-256 is kept.
 */
final class ReloadAccess {
    private static final String BEARER = "Bearer ";

    private final byte[] tokenHash;

    /** @param token the bearer token a mutating request must carry, or null to require none */
    ReloadAccess(String token) {
        this.tokenHash = token == null ? null : Sha256.of(token.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether an {@code Authorization} header (null when absent) carries the token, or none is required. */
    boolean authorized(String authorization) {
        if (tokenHash == null) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        byte[] presented = authorization.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
        // Comparing digests of equal length takes the same time wherever they differ.
        return MessageDigest.isEqual(Sha256.of(presented), tokenHash);
    }

    /**
     * A browser sends {@code Origin} with a cross-site POST; refusing one whose origin is not this
     * server stops a web page the operator visits from making their browser reload the bridge.
     */
    static boolean sameOrigin(HttpHeaders headers) {
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return true;
        }
        String host = headers.get(HttpHeaderNames.HOST);
        return host != null && origin.equalsIgnoreCase("http://" + host);
    }
}
