package org.quietbridge.bridge.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.quietbridge.bridge.config.ManagementSettings;

/**
 * The management pipeline on an {@link EmbeddedChannel}: raw request bytes in, raw response bytes
 * out, parsed here by hand so the tests see exactly what goes on the wire.
 */
final class EmbeddedApi implements AutoCloseable {
    static final int MAX_BODY = ManagementSettings.DEFAULT_MAX_BODY_BYTES;

    final EmbeddedChannel channel = new EmbeddedChannel();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    EmbeddedApi(ManagementBackend backend, String token) {
        ManagementInitializer.configure(channel.pipeline(), new ManagementHandler(backend, token), MAX_BODY);
    }

    /** A response as it came off the wire. */
    record Response(String statusLine, int status, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.getFirst();
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        Map<String, Object> json() {
            return StrictJson.object(text());
        }
    }

    /** Sends raw bytes and runs what they caused. */
    void write(String raw) {
        write(raw.getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] raw) {
        channel.writeInbound(Unpooled.wrappedBuffer(raw));
        channel.runPendingTasks();
    }

    /** Sends a request and returns the one response it got (not a HEAD request). */
    Response exchange(String raw) {
        write(raw);
        List<Response> r = responses(false);
        if (r.size() != 1) {
            throw new AssertionError("expected one response, got " + r.size());
        }
        return r.getFirst();
    }

    static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:9700\r\n\r\n";
    }

    /** Every complete response written so far; {@code head}: responses to HEAD carry no body. */
    List<Response> responses(boolean head) {
        channel.runPendingTasks();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            try {
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                pending.writeBytes(bytes);
            } finally {
                b.release();
            }
        }
        byte[] all = pending.toByteArray();
        List<Response> out = new ArrayList<>();
        int at = 0;
        while (true) {
            int end = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), at);
            if (end < 0) {
                break;
            }
            String[] lines = new String(all, at, end - at, StandardCharsets.ISO_8859_1).split("\r\n");
            Map<String, List<String>> headers = new TreeMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.computeIfAbsent(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1).strip());
            }
            String[] status = lines[0].split(" ", 3);
            List<String> length = headers.get("content-length");
            int bodyLength = head || length == null ? 0 : Integer.parseInt(length.getFirst());
            int bodyStart = end + 4;
            if (bodyStart + bodyLength > all.length) {
                break;
            }
            byte[] body = Arrays.copyOfRange(all, bodyStart, bodyStart + bodyLength);
            out.add(new Response(lines[0], Integer.parseInt(status[1]), headers, body));
            at = bodyStart + bodyLength;
        }
        pending.reset();
        pending.write(all, at, all.length - at);
        return out;
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
