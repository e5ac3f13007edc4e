package org.quietbridge.bridge.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;

import org.quietbridge.rules.Sha256;

/**
 * The dashboard: one self-contained HTML page (a classpath resource beside this class), served with a
 * Content-Security-Policy that lets it run its one inline script, by hash, and talk to this server only.
 *
 * @param html   the page
 * @param policy its Content-Security-Policy
 */
record DashboardPage(byte[] html, String policy) {
    /** The page's resource name. */
    static final String RESOURCE = "dashboard.html";

    /** Reads the page and computes its policy; fails when the resource is missing or not one inline script. */
    static DashboardPage load() {
        try (InputStream in = DashboardPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard resource " + RESOURCE + " is missing");
            }
            byte[] html = in.readAllBytes();
            return new DashboardPage(html, contentSecurityPolicy(html));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    /**
     * A Content-Security-Policy that lets the page run its one inline script (by hash) and talk to
     * this server only: the browser itself then refuses anything fetched from elsewhere.
     */
    static String contentSecurityPolicy(byte[] page) {
        String html = new String(page, StandardCharsets.UTF_8);
        int open = html.indexOf("<script>");
        int close = html.indexOf("</script>", open);
        if (open < 0 || close < 0 || html.indexOf("<script", close) >= 0) {
            throw new IllegalStateException("the dashboard must hold exactly one inline <script> element");
        }
        String script = html.substring(open + "<script>".length(), close);
        String hash = Base64.getEncoder().encodeToString(Sha256.of(script.getBytes(StandardCharsets.UTF_8)));
        return "default-src 'none'; script-src 'sha256-" + hash + "'; style-src 'unsafe-inline'; connect-src 'self';"
                + " img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    /** Sets the headers the page goes out with: its policy, no framing, no referrer. */
    FullHttpResponse withHeaders(FullHttpResponse response) {
        HttpHeaders h = response.headers();
        h.set("Content-Security-Policy", policy).set("X-Frame-Options", "DENY").set("Referrer-Policy", "no-referrer");
        return response;
    }
}
