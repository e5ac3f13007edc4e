package org.quietbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.quietbridge.bridge.api.PrometheusText;
import org.quietbridge.bridge.api.StrictJson;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.Role;

/**
 * The running bridge's management API as a client in its own namespace sees it: every request
 * is made by Python's {@code http.client} run with {@code ip netns exec} in the bridge namespace
 * (the API listens on 127.0.0.1:9700 there, unreachable from the test's JVM), so a request can
 * carry any method, header and body, and the answer comes back whole: status, headers, body.
 */
public final class ManagementApi {
    /** The default listen address of {@code run}, inside the bridge namespace. */
    public static final String HOST = "127.0.0.1";
    public static final int PORT = 9700;

    private static final String SCRIPT = """
            import http.client, json, sys
            # argv: requests separated by "--next", each: method, target, body file ("" for none),
            # then "Name: value" headers. One JSON answer per line, in order, made back to back.
            words, requests = sys.argv[1:], [[]]
            for w in words:
                if w == "--next":
                    requests.append([])
                else:
                    requests[-1].append(w)
            for method, target, body_file, *header_words in requests:
                headers = dict(h.split(": ", 1) for h in header_words)
                body = open(body_file, "rb").read() if body_file else None
                c = http.client.HTTPConnection("%s", %d, timeout=30)
                c.request(method, target, body=body, headers=headers)
                r = c.getresponse()
                data = r.read()
                c.close()
                print(json.dumps({"status": r.status,
                                  "headers": {k.lower(): v for k, v in r.getheaders()},
                                  "body": data.decode("utf-8", "replace")}))
            """.formatted(HOST, PORT);
    private static final Duration REQUEST_LIMIT = Duration.ofSeconds(45);

    private final LabFixture fixture;
    private final Path script;

    /** One answer: its status, headers (names in lower case) and body as text. */
    public record Response(int status, Map<String, String> headers, String body) {
        /** The body as a JSON object, parsed strictly (RFC 8259, no duplicate names). */
        public Map<String, Object> json() {
            return StrictJson.object(body);
        }

        public 
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** Asserts the status and that the body is JSON; returns the body. */
        public Map<String, Object> expect(int expected, String what) {
            assertEquals(expected, status, what + ": HTTP status; body: " + body);
            String type = header("content-type");
            assertTrue(type != null && type.startsWith("application/json"), what + ": content type " + type);
            return json();
        }

        /** Asserts an error answer as the README describes: JSON {error, status, message} with this code. */
        public Map<String, Object> expectError(int expected, String errorCode, String what) {
            Map<String, Object> e = expect(expected, what);
            assertEquals(errorCode, e.get("error"), what + ": " + body);
            assertEquals((long) expected, e.get("status"), what + ": " + body);
            assertTrue(e.get("message") instanceof String m && !m.isBlank(), what + ": a message: " + body);
            return e;
        }
    }

    public ManagementApi(LabFixture fixture) {
        this.fixture = fixture;
        this.script = fixture.write("api-request.py", SCRIPT);
    }

    public Response get(String target) {
        return request("GET", target, null);
    }

    public Response head(String target) {
        return request("HEAD", target, null);
    }

    /** GET {@code target}, which must answer 200 with a JSON object. */
    public Map<String, Object> json(String target) {
        return get(target).expect(200, "GET " + target);
    }

    /** GET /metrics, parsed by the strict text-format parser of the API's unit tests. */
    public Map<String, PrometheusText.Family> metrics() {
        Response r = get("/metrics");
        assertEquals(200, r.status(), "GET /metrics: " + r.body());
        assertTrue(r.header("content-type").startsWith("text/plain; version=0.0.4"), "content type "
                + r.header("content-type"));
        try {
            return PrometheusText.parse(r.body());
        } catch (IllegalArgumentException e) {
            return fail("/metrics does not parse as the Prometheus text format: " + e.getMessage() + "\n" + r.body());
        }
    }

    /**
     * Sends one request; {@code body} null for none. {@code headers} are "Name: value" words.
     * Python adds Host, Accept-Encoding: identity and, with a body, Content-Length.
     */
    public Response request(String method, String target, byte[] body, String... headers) {
        List<String> words = new ArrayList<>(List.of(method, target, bodyFile(body)));
        words.addAll(List.of(headers));
        return exchange(words).getFirst();
    }

    /**
     * Bodiless requests ("METHOD target" and then "Name: value" headers, one array each) made back
     * to back by one process, a fresh connection each: the second follows the first's answer
     * within a millisecond, as a script's would.
     */
    public List<Response> backToBack(List<List<String>> requests) {
        List<String> words = new ArrayList<>();
        for (List<String> r : requests) {
            if (!words.isEmpty()) {
                words.add("--next");
            }
            String[] methodAndTarget = r.getFirst().split(" ", 2);
            words.addAll(List.of(methodAndTarget[0], methodAndTarget[1], ""));
            words.addAll(r.subList(1, r.size()));
        }
        return exchange(words);
    }

    private List<Response> exchange(List<String> words) {
        List<String> argv = new ArrayList<>(List.of(LabFixture.python(), script.toString()));
        argv.addAll(words);
        CommandResult r = fixture.lab().exec(Role.BR, REQUEST_LIMIT, argv.toArray(String[]::new)).orThrow();
        List<Response> out = new ArrayList<>();
        for (String line : r.stdout().strip().split("\n")) {
            Map<String, Object> answer = StrictJson.object(line);
            Map<String, String> responseHeaders = new LinkedHashMap<>();
            @SuppressWarnings("unchecked")
            Map<String, Object> raw = (Map<String, Object>) answer.get("headers");
            raw.forEach((k, v) -> responseHeaders.put(k, (String) v));
            out.add(new Response(((Long) answer.get("status")).intValue(), responseHeaders,
                    (String) answer.get("body")));
        }
        return out;
    }

    private String bodyFile(byte[] body) {
        if (body == null) {
            return "";
        }
        Path file = fixture.freshPath("api-body", "bin");
        try {
            Files.write(file, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file.toString();
    }

    /** The value of the one sample of {@code name} with exactly {@code labels} ("k", "v", ...); fails when absent. */
    public static double sample(Map<String, PrometheusText.Family> families, String name, String... labels) {
        Map<String, String> want = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            want.put(labels[i], labels[i + 1]);
        }
        for (PrometheusText.Family f : families.values()) {
            for (PrometheusText.Sample s : f.samples()) {
                if (s.name().equals(name) && s.labels().equals(want)) {
                    return s.value();
                }
            }
        }
        return fail("no sample " + name + want + " in /metrics (families: " + families.keySet() + ")");
    }
}
