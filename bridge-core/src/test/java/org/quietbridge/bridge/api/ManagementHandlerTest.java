package org.quietbridge.bridge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quietbridge.bridge.forward.FdbCounter;
import org.quietbridge.bridge.forward.PortCounter;

/** The handler and its pipeline through an EmbeddedChannel: every endpoint and every 4xx class. */
@Timeout(30)
class ManagementHandlerTest {
    private static final String TOKEN = "s3cret-Token_1";

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final FakeBackend backend = new FakeBackend(clock::get);
    private EmbeddedApi api = new EmbeddedApi(backend, null);

    @AfterEach
    void close() {
        api.close();
    }

    private EmbeddedApi withToken() {
        api.close();
        api = new EmbeddedApi(backend, TOKEN);
        return api;
    }

    private static String post(String target, String... headers) {
        StringBuilder b = new StringBuilder("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1:9700\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return b.append("Content-Length: 0\r\n\r\n").toString();
    }

    private static void assertJson(EmbeddedApi.Response r, int status) {
        assertEquals(status, r.status(), r::text);
        assertEquals("application/json; charset=utf-8", r.header("content-type"));
        assertEquals(String.valueOf(r.body().length), r.header("content-length"));
        assertEquals("no-store", r.header("cache-control"));
        assertEquals("nosniff", r.header("x-content-type-options"));
    }

    private static void assertError(EmbeddedApi.Response r, int status, String code) {
        assertJson(r, status);
        Map<String, Object> j = r.json();
        assertEquals(code, j.get("error"));
        assertEquals((long) status, j.get("status"));
        assertTrue(j.get("message") instanceof String m && !m.isBlank());
    }

    // ---- GET endpoints --------------------------------------------------------------------------

    @Test
    void dashboardIsOneHtmlPageWithAStrictContentSecurityPolicy() {
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/"));
        assertEquals(200, r.status());
        assertEquals("text/html; charset=utf-8", r.header("content-type"));
        assertTrue(r.text().contains("id=\"bm-chart\""));
        String csp = r.header("content-security-policy");
        assertTrue(csp.startsWith("default-src 'none'; script-src 'sha256-"), csp);
        assertTrue(csp.contains("connect-src 'self'"), csp);
        assertEquals("DENY", r.header("x-frame-options"));
    }

    @Test
    void headOnTheDashboardHasGetsHeadersAndNoBody() {
        int getLength = api.exchange(EmbeddedApi.get("/")).body().length;
        api.write("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
        List<EmbeddedApi.Response> r = api.responses(true);
        assertEquals(1, r.size());
        assertEquals(200, r.getFirst().status());
        assertEquals(String.valueOf(getLength), r.getFirst().header("content-length"));
        assertEquals(0, r.getFirst().body().length);
        api.write(EmbeddedApi.get("/api/status"));
        assertEquals(200, api.responses(false).getFirst().status(), "the HEAD answer left no stray body behind");
    }

    @Test
    void metricsAreThePrometheusTextFormat() {
        backend.tick();
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/metrics"));
        assertEquals(200, r.status());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.header("content-type"));
        Map<String, PrometheusText.Family> families = PrometheusText.parse(r.text());
        assertEquals("counter", families.get("quietbridge_port_rx_frames_total").type());
        assertEquals(1.0, families.get("quietbridge_up").samples().getFirst().value());
    }

    @Test
    void statusShowsVersionUptimePortsModeAndDigest() {
        clock.addAndGet(90_500);
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/api/status"));
        assertJson(r, 200);
        Map<String, Object> j = r.json();
        assertEquals("1.2.3-test", j.get("version"));
        assertEquals(90.5, j.get("uptime_seconds"));
        assertEquals(4242L, j.get("pid"));
        assertEquals(true, j.get("forwarding"));
        assertEquals("enforce", j.get("mode"));
        assertEquals(64, ((String) j.get("rules_digest")).length());
        assertEquals(3L, j.get("rule_count"));
        assertEquals(List.of(Map.of("name", "ap0", "mtu", 1500L, "state", "up"),
                Map.of("name", "core0", "mtu", 1500L, "state", "up")), j.get("ports"));
        assertEquals(Map.of("mode", "kernel", "active", false), j.get("failover"));
    }

    @Test
    void countersHaveEveryPortAndTableCounterByItsStableLabel() {
        backend.tick();
        backend.tick();
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/api/counters"));
        assertJson(r, 200);
        Map<String, Object> j = r.json();
        assertEquals(clock.get(), j.get("time_ms"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> ports = (List<Map<String, Object>>) j.get("ports");
        assertEquals(2, ports.size());
        assertEquals("ap0", ports.getFirst().get("name"));
        for (PortCounter c : PortCounter.values()) {
            assertTrue(ports.getFirst().get(c.label()) instanceof Long, c.label());
        }
        assertEquals(2 * FakeBackend.BM_PER_TICK, ports.getFirst().get("rx_broadcast_multicast"));
        @SuppressWarnings("unchecked")
        Map<String, Object> fdb = (Map<String, Object>) j.get("fdb");
        assertEquals(FdbCounter.values().length, fdb.size());
        assertEquals(7L, fdb.get("learned"));
        @SuppressWarnings("unchecked")
        Map<String, Object> malformed = (Map<String, Object>) j.get("malformed");
        assertEquals(1L, malformed.get("runt"));
        assertFalse(malformed.containsKey("none"));
        assertEquals(0L, j.get("reloads"));
        assertEquals(Map.of("active", false, "taken_at_start", 1L, "taken_after_stall", 0L, "released_at_stop", 0L,
                "stalled_nanos", 0L, "gate_errors", 0L), j.get("failover"));
    }

    @Test
    void fdbListsMacPortVlanAndAgeWithNullForUntagged() {
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/api/fdb"));
        assertJson(r, 200);
        Map<String, Object> j = r.json();
        assertEquals(2L, j.get("count"));
        assertEquals(List.of(
                mapOf("mac", "02:00:00:00:00:0a", "vlan", null, "port", "ap0", "static", false, "age_seconds", 1.5),
                mapOf("mac", "02:00:00:00:00:0b", "vlan", 10L, "port", "core0", "static", true, "age_seconds", 0.0)),
                j.get("entries"));
    }

    private static Map<String, Object> mapOf(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void fdbAnswersWhenTheDataPlaneDoesAndHoldsPipelinedRequestsUntilThen() {
        CompletableFuture<List<FdbEntry>> later = new CompletableFuture<>();
        backend.answerFdbWith(later);
        api.write(EmbeddedApi.get("/api/fdb") + EmbeddedApi.get("/api/status"));
        assertEquals(List.of(), api.responses(false), "nothing before the data plane answers");
        assertFalse(api.channel.config().isAutoRead());
        later.complete(List.of(new FdbEntry("02:00:00:00:00:0c", 7, "ap0", false, 3)));
        List<EmbeddedApi.Response> r = api.responses(false);
        assertEquals(2, r.size(), "both answers, in request order");
        assertEquals(1L, r.get(0).json().get("count"));
        assertEquals("1.2.3-test", r.get(1).json().get("version"));
        assertTrue(api.channel.config().isAutoRead());
    }

    @Test
    void fdbIs503WhenTheDataPlaneRefusesOrDoesNotAnswer() {
        backend.answerFdbWith(CompletableFuture.failedFuture(new RejectedExecutionException("command queue full")));
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/api/fdb"));
        assertError(r, 503, "unavailable");
        assertEquals("command queue full", r.json().get("message"));
        backend.answerFdbWith(CompletableFuture.failedFuture(new TimeoutException()));
        r = api.exchange(EmbeddedApi.get("/api/fdb"));
        assertError(r, 503, "unavailable");
        assertEquals("the data plane did not answer within 5 s", r.json().get("message"));
    }

    @Test
    void rulesCarryTheirActionAndHitsInOrder() {
        backend.tick();
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/api/rules"));
        assertJson(r, 200);
        Map<String, Object> j = r.json();
        assertEquals("enforce", j.get("mode"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rules = (List<Map<String, Object>>) j.get("rules");
        assertEquals(3, rules.size());
        assertEquals("netbios-broadcast-l2", rules.get(0).get("name"));
        assertEquals("drop", rules.get(0).get("action"));
        assertEquals(240L, rules.get(0).get("hits"));
        assertEquals("count", rules.get(2).get("action"));
        assertTrue(((String) rules.get(0).get("description")).contains("dst_port"));
    }

    @Test
    void nlbListsClustersWithTheirCounters() {
        backend.tick();
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/api/nlb"));
        assertJson(r, 200);
        assertEquals(List.of(mapOf("cluster_ip", "10.8.1.50", "vlan", null, "mac", "02:bf:0a:08:01:32", "mode", "unicast",
                "member_ports", List.of("core0"), "static", false, "contained", 40L, "forwarded", 12L,
                "flooded_unknown", 3L, "moves", 1L)), r.json().get("clusters"));
    }

    @Test
    void arpListsTheBindingsAndCounters() {
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/api/arp"));
        assertJson(r, 200);
        assertEquals("unicast", r.json().get("mode"));
        assertEquals(2L, r.json().get("count"));
        assertEquals(List.of(mapOf("ip", "10.8.1.1", "vlan", null, "mac", "02:00:00:00:00:01", "port", "core0",
                "age_seconds", 2.5), mapOf("ip", "10.8.1.20", "vlan", 10L, "mac", "02:00:00:00:00:14", "port", "ap0",
                "age_seconds", 0.5)), r.json().get("bindings"));
        @SuppressWarnings("unchecked")
        Map<String, Object> counters = (Map<String, Object>) r.json().get("counters");
        assertEquals(4L, counters.get("same_side"));
        assertEquals(2L, counters.get("bindings"));

        EmbeddedApi.Response countersOnly = api.exchange(EmbeddedApi.get("/api/arp?bindings=false"));
        assertJson(countersOnly, 200);
        assertEquals(0L, countersOnly.json().get("count"), "no table: nothing asked of the data plane");
        assertEquals(counters, countersOnly.json().get("counters"));
        assertEquals(400, api.exchange(EmbeddedApi.get("/api/arp?bindings=no")).status());
    }

    @Test
    void stormListsTheLimitsWithTheirState() {
        EmbeddedApi.Response quiet = api.exchange(EmbeddedApi.get("/api/storm"));
        assertJson(quiet, 200);
        assertEquals(List.of(mapOf("port", "ap0", "class", "broadcast", "pps", 500L, "falling_pps", 400L, "action", "drop",
                "active", false, "storms", 0L, "dropped", 0L, "logged", 0L, "top_source", null, "peak_pps", 9000L)),
                quiet.json().get("limits"));
        backend.tick();
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/api/storm"));
        assertEquals(List.of(mapOf("port", "ap0", "class", "broadcast", "pps", 500L, "falling_pps", 400L, "action", "drop",
                "active", true, "storms", 1L, "dropped", 90L, "logged", 0L, "top_source", "02:00:00:00:5a:5a",
                "peak_pps", 9000L)), r.json().get("limits"));
    }

    @Test
    void topTalkersDefaultToTenMinutesAndHonourTheWindow() {
        long now = clock.get();
        backend.dropped(now - 5 * 60_000, "02:00:00:00:02:01", "netbios-broadcast-l3");
        backend.dropped(now - 30 * 60_000, "02:00:00:00:02:02", "netbios-broadcast-l2");
        backend.dropped(now - 30 * 60_000, "02:00:00:00:02:02", "netbios-broadcast-l2");

        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/api/top-talkers"));
        assertJson(r, 200);
        assertEquals(10L, r.json().get("minutes"));
        assertEquals(List.of(mapOf("mac", "02:00:00:00:02:01", "dropped_frames", 1L, "last_rule", "netbios-broadcast-l3")),
                r.json().get("talkers"));

        r = api.exchange(EmbeddedApi.get("/api/top-talkers?minutes=60"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> talkers = (List<Map<String, Object>>) r.json().get("talkers");
        assertEquals("02:00:00:00:02:02", talkers.getFirst().get("mac"), "most dropped first");
        assertEquals(2L, talkers.getFirst().get("dropped_frames"));

        r = api.exchange(EmbeddedApi.get("/api/top-talkers?minutes=60&limit=1"));
        assertEquals(1, ((List<?>) r.json().get("talkers")).size());
    }

    @Test
    void topTalkersAre503WhenTheDataPlaneCannotAnswer() {
        ManagementBackend refusing = new BridgeBackendTest.Refusing(backend);
        api.close();
        api = new EmbeddedApi(refusing, null);
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/api/top-talkers?minutes=5"));
        assertError(r, 503, "unavailable");
        assertEquals("the data plane's command queue is full", r.json().get("message"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"minutes=abc", "minutes=0", "minutes=61", "minutes=-5", "minutes=+5", "minutes=",
        "minutes=1&minutes=2", "minutes=1.5", "minutes=99999999999", "limit=0", "limit=101"})
    void badTopTalkerQueriesAre400AndNeverReachTheBackend(String query) {
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/api/top-talkers?" + query));
        assertError(r, 400, "bad_query");
        assertEquals(0, backend.calls.get());
        assertTrue(api.channel.isOpen(), "a bad query keeps the connection");
    }

    @Test
    void aMalformedPercentEscapeIs400() {
        assertError(api.exchange(EmbeddedApi.get("/api/top-talkers?minutes=%zz")), 400, "bad_request");
        assertEquals(0, backend.calls.get());
    }

    @Test
    void absoluteFormTargetsAreServed() {
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("http://127.0.0.1:9700/api/status"));
        assertJson(r, 200);
    }

    // ---- 404, 405 ------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/nope", "/api", "/api/", "/api/status/", "/metrics.txt", "/index.html", "//api/status"})
    void unknownPathsAre404(String path) {
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get(path));
        assertError(r, 404, "not_found");
        assertEquals(0, backend.calls.get());
    }

    @Test
    void wrongMethodsAre405WithAllow() {
        EmbeddedApi.Response r = api.exchange(post("/api/status"));
        assertError(r, 405, "method_not_allowed");
        assertEquals("GET, HEAD", r.header("allow"));

        r = api.exchange("DELETE / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertError(r, 405, "method_not_allowed");

        r = api.exchange(EmbeddedApi.get("/api/reload"));
        assertError(r, 405, "method_not_allowed");
        assertEquals("POST", r.header("allow"));

        r = api.exchange("PUT /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
        assertError(r, 405, "method_not_allowed");
        assertEquals(0, backend.calls.get());
    }

    // ---- 400, 413, 414, 431: malformed or oversized HTTP ---------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
        "GET /api/status HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        "GET /api/status HTTP/1.1\r\nHost : x\r\n\r\n",
        "GET /api/status HTTP/1.1\r\nHost: x\r\nX-Bad\u0001Name: y\r\n\r\n",
        "GET /api/status FTP/1.1\r\nHost: x\r\n\r\n",
        "GET /api/status HTTP/1.1\r\nHost: x\r\nthis line has no colon\r\n\r\n",
        "GET /api/status HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "GET /api/status HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    })
    void malformedHttpIs400AndClosesTheConnection(String raw) {
        EmbeddedApi.Response r = api.exchange(raw);
        assertError(r, 400, "bad_request");
        // HTTP/1.1 says so; an HTTP/1.0 answer (what Netty makes of an unreadable request line) closes by default.
        assertTrue(r.statusLine().startsWith("HTTP/1.0 ") || "close".equals(r.header("connection")), r.statusLine());
        assertFalse(api.channel.isOpen());
        assertEquals(0, backend.calls.get());
    }

    @Test
    void aVersionOtherThanHttp1Is505() {
        EmbeddedApi.Response r = api.exchange("GET /api/status HTTP/2.0\r\nHost: x\r\n\r\n");
        assertError(r, 505, "http_version_not_supported");
        assertFalse(api.channel.isOpen());
        assertEquals(0, backend.calls.get());
    }

    @Test
    void anOverlongRequestLineIs414() {
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/api/status?pad=" + "a".repeat(5000)));
        assertError(r, 414, "uri_too_long");
        assertFalse(api.channel.isOpen());
        assertEquals(0, backend.calls.get());
    }

    @Test
    void overlongHeadersAre431() {
        EmbeddedApi.Response r = api.exchange("GET /api/status HTTP/1.1\r\nHost: x\r\nX-Pad: " + "b".repeat(9000)
                + "\r\n\r\n");
        assertError(r, 431, "headers_too_large");
        assertEquals(0, backend.calls.get());
    }

    @Test
    void aBodyOverTheLimitIs413WithJsonAndNeverReachesTheBackend() {
        int size = EmbeddedApi.MAX_BODY + 1;
        api.write("POST /api/reload HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n");
        List<EmbeddedApi.Response> r = api.responses(false);
        assertEquals(1, r.size());
        assertError(r.getFirst(), 413, "payload_too_large");
        assertEquals("close", r.getFirst().header("connection"));
        assertFalse(api.channel.isOpen());
        assertEquals(0, backend.reloadCalls.get());
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() {
        String chunk = Integer.toHexString(40_000) + "\r\n" + "c".repeat(40_000) + "\r\n";
        api.write("POST /api/reload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk
                + "0\r\n\r\n");
        List<EmbeddedApi.Response> r = api.responses(false);
        assertEquals(1, r.size());
        assertError(r.getFirst(), 413, "payload_too_large");
        assertEquals(0, backend.reloadCalls.get());
    }

    @Test
    void expectContinueForAnOversizedBodyIs413WithJson() {
        api.write("POST /api/reload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10000000\r\n\r\n");
        List<EmbeddedApi.Response> r = api.responses(false);
        assertEquals(1, r.size());
        assertError(r.getFirst(), 413, "payload_too_large");
        assertEquals(0, backend.reloadCalls.get());
    }

    @Test
    void aSmallBodyIsAcceptedAndIgnored() {
        EmbeddedApi.Response r = api.exchange("POST /api/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
        assertJson(r, 200);
        assertEquals(1, backend.reloadCalls.get());
    }

    // ---- reload and the bearer token ---------------------------------------------------------

    @Test
    void reloadWithoutAConfiguredTokenIsOpen() {
        EmbeddedApi.Response r = api.exchange(post("/api/reload"));
        assertJson(r, 200);
        assertEquals(Map.of("ok", true, "outcome", "applied", "message", "configuration reloaded: 3 rules",
                "rules_digest", "abc123"), r.json());
    }

    @Test
    void reloadWithATokenConfiguredNeedsTheBearerToken() {
        withToken();
        EmbeddedApi.Response r = api.exchange(post("/api/reload"));
        assertError(r, 401, "unauthorized");
        assertEquals("Bearer realm=\"quietbridge\"", r.header("www-authenticate"));

        for (String wrong : List.of("Bearer wrong", "Bearer " + TOKEN + "x", "Bearer " + TOKEN.substring(1),
                "Basic " + TOKEN, TOKEN, "Bearer", "Bearer ")) {
            r = api.exchange(post("/api/reload", "Authorization: " + wrong));
            assertError(r, 401, "unauthorized");
            assertEquals("Bearer realm=\"quietbridge\", error=\"invalid_token\"", r.header("www-authenticate"), wrong);
        }
        assertEquals(0, backend.reloadCalls.get(), "no unauthorized request reached the backend");

        r = api.exchange(post("/api/reload", "Authorization: Bearer " + TOKEN));
        assertJson(r, 200);
        r = api.exchange(post("/api/reload", "authorization: bearer " + TOKEN));
        assertJson(r, 200);
        assertEquals(2, backend.reloadCalls.get());
    }

    @Test
    void getEndpointsNeedNoToken() {
        withToken();
        assertJson(api.exchange(EmbeddedApi.get("/api/status")), 200);
    }

    @Test
    void aCrossOriginReloadIs403EvenWithTheToken() {
        withToken();
        EmbeddedApi.Response r = api.exchange(post("/api/reload", "Origin: http://evil.example",
                "Authorization: Bearer " + TOKEN));
        assertError(r, 403, "forbidden");
        assertEquals(0, backend.reloadCalls.get());
        r = api.exchange(post("/api/reload", "Origin: http://127.0.0.1:9700", "Authorization: Bearer " + TOKEN));
        assertJson(r, 200);
    }

    @Test
    void aRejectedReloadIs422WithThePositionedError() {
        backend.answerReloadWith(CompletableFuture.completedFuture(
                ReloadResult.rejected("/etc/quietbridge/bridge.yaml:12:7: unknown key 'actoin'", "old")));
        EmbeddedApi.Response r = api.exchange(post("/api/reload"));
        assertJson(r, 422);
        assertEquals(false, r.json().get("ok"));
        assertEquals("rejected", r.json().get("outcome"));
        assertEquals("/etc/quietbridge/bridge.yaml:12:7: unknown key 'actoin'", r.json().get("message"));
    }

    @Test
    void anUnavailableReloadIs503() {
        backend.answerReloadWith(CompletableFuture.completedFuture(ReloadResult.unavailable("no controller")));
        EmbeddedApi.Response r = api.exchange(post("/api/reload"));
        assertJson(r, 503);
        assertEquals("unavailable", r.json().get("outcome"));
    }

    // ---- connections and failures ---------------------------------------------------------------

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() {
        api.write(EmbeddedApi.get("/api/status") + EmbeddedApi.get("/api/rules") + EmbeddedApi.get("/nope"));
        List<EmbeddedApi.Response> r = api.responses(false);
        assertEquals(List.of(200, 200, 404), r.stream().map(EmbeddedApi.Response::status).toList());
        assertTrue(api.channel.isOpen());
    }

    @Test
    void connectionCloseIsHonoured() {
        EmbeddedApi.Response r = api.exchange("GET /api/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(200, r.status());
        assertFalse(api.channel.isOpen());
    }

    @Test
    void http10WithoutKeepAliveIsClosedAfterTheAnswer() {
        EmbeddedApi.Response r = api.exchange("GET /api/status HTTP/1.0\r\n\r\n");
        assertEquals("HTTP/1.0 200 OK", r.statusLine());
        assertFalse(api.channel.isOpen());
    }

    @Test
    void aBackendFailureIs500WithJson() {
        backend.failStatusWith(new IllegalStateException("bridge gone"));
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/api/status"));
        assertError(r, 500, "internal");
        assertEquals("bridge gone", r.json().get("message"));
        assertTrue(api.channel.isOpen());
    }

    @Test
    void jsonEscapesWhatTheBackendSays() {
        backend.renameFirstRule("quote\" back\\slash <script> \u2028 tab\t");
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/api/rules"));
        String raw = r.text();
        assertFalse(raw.contains("<script>"), raw);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rules = (List<Map<String, Object>>) r.json().get("rules");
        assertEquals("quote\" back\\slash <script> \u2028 tab\t", rules.getFirst().get("name"));
    }

    @Test
    void responsesAreUtf8Json() {
        EmbeddedApi.Response r = api.exchange(EmbeddedApi.get("/api/status"));
        assertNotNull(StrictJson.parse(new String(r.body(), StandardCharsets.UTF_8)));
        assertNull(r.header("www-authenticate"));
    }
}
