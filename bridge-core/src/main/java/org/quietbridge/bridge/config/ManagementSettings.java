package org.quietbridge.bridge.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * Where the management server listens and what it asks of callers.
 *
 * <p>In a bridge configuration this is the {@code api} key:
 * <pre>
 * api:
 *   listen: 127.0.0.1:9700     # host:port, [v6]:port; loopback by default
 *   token: s3cret              # optional: POST /api/reload then needs "Authorization: Bearer s3cret"
 * </pre>
 *
 * @param host an IP literal or host name to bind
 * @param port 0 to 65535; 0 binds an ephemeral port (tests)
 * @param token the bearer token mutating endpoints require, or null for none
 * @param maxBodyBytes the largest request body accepted; larger ones get 413
 */
public record ManagementSettings(String host, int port, String token, int maxBodyBytes) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9700;
    /** Requests carry no real body (reload takes none); 64 KiB is plenty and bounds memory per connection. */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    public ManagementSettings {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535: " + port);
        }
        if (token != null && (token.isEmpty() || !token.chars().allMatch(ManagementSettings::isTokenChar))) {
            throw new IllegalArgumentException("the API token must be one or more visible ASCII characters"
                    + " (RFC 6750 b64token: letters, digits and -._~+/=)");
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must not be negative: " + maxBodyBytes);
        }
    }

    /** 127.0.0.1:9700, no token. */
    public static ManagementSettings defaults() {
        return new ManagementSettings(DEFAULT_HOST, DEFAULT_PORT, null, DEFAULT_MAX_BODY_BYTES);
    }

    /**
     * Settings from a {@code listen} value ({@code host:port}, {@code [v6]:port}, or
     * {@code :port} for the default host) and an optional token.
     *
     * @throws IllegalArgumentException with a message that names what is wrong
     */
    public static ManagementSettings parse(String listen, String token) {
        String host;
        String portText;
        if (listen.startsWith("[")) {
            int close = listen.indexOf(']');
            if (close < 0 || close + 1 >= listen.length() || listen.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("listen: expected [address]:port, got " + listen);
            }
            host = listen.substring(1, close);
            portText = listen.substring(close + 2);
        } else {
            int colon = listen.lastIndexOf(':');
            if (colon < 0 || listen.indexOf(':') != colon) {
                throw new IllegalArgumentException("listen: expected host:port (IPv6 in brackets), got " + listen);
            }
            host = colon == 0 ? DEFAULT_HOST : listen.substring(0, colon);
            portText = listen.substring(colon + 1);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("listen: port must be a number from 0 to 65535, got " + portText);
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("listen: port must be a number from 0 to 65535, got " + portText);
        }
        return new ManagementSettings(host, port, token, DEFAULT_MAX_BODY_BYTES);
    }

    public ManagementSettings withPort(int newPort) {
        return new ManagementSettings(host, newPort, token, maxBodyBytes);
    }

    public ManagementSettings withToken(String newToken) {
        return new ManagementSettings(host, port, newToken, maxBodyBytes);
    }

    /** Whether the host resolves to a loopback address only, so no other machine can connect. */
    public boolean isLoopback() {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "ManagementSettings[" + host + ":" + port + (token == null ? ", no token" : ", token set")
                + ", maxBodyBytes=" + maxBodyBytes + "]";
    }

    private static boolean isTokenChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~+/=".indexOf(c) >= 0;
    }
}
