package org.quietbridge.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.api.PrometheusText;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.Direction;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.ManagementApi;
import org.quietbridge.it.Marker;
import org.quietbridge.it.ProbeRules;
import org.quietbridge.it.Wire;
import org.quietbridge.lab.Role;

/**
 * The management API of a bridge running in the lab (README, "Management API and dashboard"):
 * every endpoint answers from the real data plane after real traffic, /metrics is valid text
 * format and agrees with the JSON API, and bad requests get their 4xx without reaching the
 * bridge.
 *
 * <p>One bridge serves the class, with NLB containment on and a reload token. Before the tests
 * run, {@link #sendTraffic} has sent, each batch settled behind a barrier: frames both ways (so
 * the MAC table knows both hosts), {@value #NETBIOS} NetBIOS broadcasts from the AP host, and,
 * from the core side, a gratuitous ARP announcing NLB cluster {@value #CLUSTER_IP} then
 * {@value #CONTAINED} frames to its cluster MAC (kept there), then {@value #FORWARDED} from the AP
 * side (forwarded to the cluster). The counts the tests expect are exact: nothing else in the
 * lab sends NetBIOS or cluster frames. The test that reloads runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@LabTest("mapi")
class ManagementApiTest {
    private static final String TOKEN = "e2e-api-token";
    /**
     * {@code idle: block}: with no traffic the data plane sleeps in poll(2) for up to 50 ms, so
     * what it does only between two rounds (a rule swap) visibly lags what the API already says.
     */
    private static final String CONFIG = "ports: [ap0, core0]\nnlb: {mode: contain}\nidle: block\napi: {token: "
            + TOKEN + "}\n";
    private static final int NETBIOS = 7;
    private static final String CLUSTER_IP = "10.77.0.100";
    private static final String CLUSTER_MAC = "02:bf:0a:4d:00:64";
    private static final String MEMBER_MAC = "02:01:0a:4d:00:64";
    private static final int CONTAINED = 5;
    private static final int FORWARDED = 3;
    private static final List<String> GET_ENDPOINTS = List.of("/", "/metrics", "/api/status", "/api/counters",
            "/api/fdb", "/api/rules", "/api/nlb", "/api/top-talkers?minutes=5");
    /** The metric names the README promises, all of which a running bridge with an NLB cluster writes. */
    private static final List<String> README_METRICS = List.of("port_rx_frames_total", "port_rx_bytes_total",
            "port_tx_frames_total", "port_tx_bytes_total", "port_rx_broadcast_multicast_frames_total",
            "port_forwarded_broadcast_multicast_frames_total", "port_dropped_frames_total",
            "port_malformed_frames_total", "port_flooded_frames_total", "port_checksum_completed_frames_total",
            "port_checksum_unfixable_frames_total", "rule_hits_total", "fdb_entries", "fdb_learned_total",
            "fdb_moved_total", "fdb_table_full_total", "fdb_aged_total", "fdb_static_conflict_total",
            "malformed_frames_total", "nlb_cluster_frames_total", "nlb_cluster_moves_total",
            "nlb_cluster_member_ports", "reloads_total", "reload_failures_total", "dataplane_errors_total", "up",
            "uptime_seconds", "build_info", "rules_info");

    private static LabFixture fixture;
    private static Wire wire;
    private static ManagementApi api;
    private static BridgeProcess bridge;

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void startBridgeAndSendTraffic() {
        wire = Wire.open(fixture);
        api = new ManagementApi(fixture);
        bridge = BridgeProcess.startWithApi(fixture, "bridge", CONFIG);
        sendTraffic();
    }

    private static void sendTraffic() {
        // The barriers alone are unicast both ways: the MAC table learns both hosts from them.
        wire.sendAndSettle(Role.CORE, List.of());
        List<byte[]> netbios = new ArrayList<>();
        for (int i = 0; i < NETBIOS; i++) {
            netbios.add(ProbeRules.netbiosBroadcast(Direction.AP_TO_CORE, Marker.of("api-netbios-" + i)));
        }
        wire.sendAndSettle(Role.AP, netbios);

        List<byte[]> fromCluster = new ArrayList<>();
        fromCluster.add(FrameBuilder.ethernet().src(MEMBER_MAC).nlbGratuitousArp(CLUSTER_IP).build());
        for (int i = 0; i < CONTAINED; i++) {
            fromCluster.add(toCluster(Direction.CORE_TO_AP, i));
        }
        wire.sendAndSettle(Role.CORE, fromCluster);
        List<byte[]> toCluster = new ArrayList<>();
        for (int i = 0; i < FORWARDED; i++) {
            toCluster.add(toCluster(Direction.AP_TO_CORE, i));
        }
        wire.sendAndSettle(Role.AP, toCluster);
    }

    private static byte[] toCluster(Direction d, int i) {
        return FrameBuilder.ethernet().src(d.srcMac()).dst(CLUSTER_MAC)
                .udp(d.srcIp(), CLUSTER_IP, 41000 + i, 5001).payload(Marker.of("cluster-" + d.tag() + "-" + i)).build();
    }

    @Test
    @Order(1)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void statusNamesTheRunningBridgeItsPortsAndRules() {
        Map<String, Object> s = api.json("/api/status");
        assertEquals(bridge.pid(), s.get("pid"), "pid: the bridge's own JVM\n" + s);
        assertEquals(Boolean.TRUE, s.get("forwarding"), s.toString());
        assertEquals("enforce", s.get("mode"), s.toString());
        assertEquals(2L, s.get("rule_count"), s.toString());
        assertTrue(s.get("version") instanceof String v && !v.isBlank(), s.toString());
        assertTrue(s.get("rules_digest") instanceof String d && d.matches("[0-9a-f]{12,}"), s.toString());
        assertTrue(((Number) s.get("uptime_seconds")).doubleValue() > 0, s.toString());
        assertEquals(List.of(Map.of("name", "ap0", "mtu", 1500L, "state", "up"),
                Map.of("name", "core0", "mtu", 1500L, "state", "up")), s.get("ports"));
    }

    @Test
    @Order(1)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void countersAccountForTheTrafficSent() {
        Map<String, Object> c = api.json("/api/counters");
        Map<String, Map<String, Object>> ports = byName(c.get("ports"));
        assertEquals(List.of("ap0", "core0"), List.copyOf(ports.keySet()));
        Map<String, Object> ap0 = ports.get("ap0");
        Map<String, Object> core0 = ports.get("core0");
        assertEquals((long) NETBIOS, ap0.get("drop_rule"), "ap0 drop_rule: the NetBIOS broadcasts\n" + c);
        assertEquals(0L, core0.get("drop_rule"), c.toString());
        assertEquals((long) CONTAINED, core0.get("drop_nlb_contained"), "core0: cluster frames kept\n" + c);
        assertTrue((Long) ap0.get("rx_frames") >= NETBIOS + FORWARDED, c.toString());
        assertTrue((Long) ap0.get("rx_broadcast_multicast") >= NETBIOS, c.toString());
        assertTrue((Long) ap0.get("tx_frames") > 0 && (Long) core0.get("tx_frames") > 0, c.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> fdb = (Map<String, Object>) c.get("fdb");
        assertTrue((Long) fdb.get("learned") >= 2, "both hosts learned: " + fdb);
        assertTrue(c.get("time_ms") instanceof Long, c.toString());
        assertTrue(c.get("malformed") instanceof Map<?, ?>, c.toString());
        assertEquals(0L, c.get("dataplane_errors"), c.toString());
    }

    @Test
    @Order(1)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void fdbListsBothHostsOnTheirPorts() {
        Map<String, Object> f = api.json("/api/fdb");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) f.get("entries");
        assertEquals((long) entries.size(), f.get("count"), f.toString());
        Map<String, Map<String, Object>> byMac = new LinkedHashMap<>();
        for (Map<String, Object> e : entries) {
            byMac.put((String) e.get("mac"), e);
        }
        for (Role host : List.of(Role.AP, Role.CORE)) {
            Map<String, Object> e = byMac.get(Direction.mac(host));
            assertTrue(e != null, Direction.mac(host) + " in the MAC table: " + f);
            assertEquals(host == Role.AP ? "ap0" : "core0", e.get("port"), e.toString());
            assertTrue(e.containsKey("vlan") && e.get("vlan") == null, "untagged: vlan null: " + e);
            assertEquals(Boolean.FALSE, e.get("static"), e.toString());
            assertTrue(((Number) e.get("age_seconds")).doubleValue() >= 0, e.toString());
        }
    }

    @Test
    @Order(1)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void rulesShowTheHitsOfTheNetbiosBroadcasts() {
        Map<String, Object> r = api.json("/api/rules");
        assertEquals("enforce", r.get("mode"));
        assertEquals(api.json("/api/status").get("rules_digest"), r.get("rules_digest"));
        Map<String, Map<String, Object>> rules = byName(r.get("rules"));
        assertEquals(List.of(ProbeRules.L2_RULE, ProbeRules.L3_RULE), List.copyOf(rules.keySet()));
        assertEquals((long) NETBIOS, rules.get(ProbeRules.L2_RULE).get("hits"), r.toString());
        assertEquals(0L, rules.get(ProbeRules.L3_RULE).get("hits"), r.toString());
        for (Map<String, Object> rule : rules.values()) {
            assertEquals("drop", rule.get("action"), rule.toString());
            assertTrue(rule.get("description") instanceof String d && d.contains("137"), rule.toString());
        }
    }

    @Test
    @Order(1)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void nlbShowsTheClusterContainedOnTheCoreSide() {
        Map<String, Object> n = api.json("/api/nlb");
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("cluster_ip", CLUSTER_IP);
        cluster.put("vlan", null);
        cluster.putAll(Map.of("mac", CLUSTER_MAC, "mode", "unicast", "member_ports", List.of("core0"), "static", false,
                "contained", (long) CONTAINED, "forwarded", (long) FORWARDED, "flooded_unknown", 0L, "moves", 0L));
        assertEquals(List.of(cluster), n.get("clusters"), n.toString());
    }

    @Test
    @Order(1)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void topTalkersNameTheApHostAsTheSourceOfTheDroppedBroadcasts() {
        Map<String, Object> t = api.json("/api/top-talkers?minutes=5");
        assertEquals(5L, t.get("minutes"), t.toString());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> talkers = (List<Map<String, Object>>) t.get("talkers");
        assertEquals(1, talkers.size(), "only the AP host sent frames the rules dropped: " + t);
        assertEquals(Direction.mac(Role.AP), talkers.getFirst().get("mac"), t.toString());
        assertEquals((long) NETBIOS, talkers.getFirst().get("dropped_frames"), t.toString());
        assertEquals(10L, api.json("/api/top-talkers").get("minutes"), "the default window");
    }

    @Test
    @Order(1)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void metricsAreValidTextFormatAndAgreeWithTheJsonApi() {
        Map<String, PrometheusText.Family> m = api.metrics();
        for (String name : README_METRICS) {
            assertTrue(m.containsKey("quietbridge_" + name) || m.containsKey("quietbridge_" + name.replaceFirst(
                    "_total$", "")), "the README's metric quietbridge_" + name + " is written; have " + m.keySet());
        }
        assertEquals(1.0, ManagementApi.sample(m, "quietbridge_up"));
        assertEquals(NETBIOS, ManagementApi.sample(m, "quietbridge_rule_hits_total", "rule", ProbeRules.L2_RULE,
                "action", "drop"));
        assertEquals(NETBIOS, ManagementApi.sample(m, "quietbridge_port_dropped_frames_total", "port", "ap0",
                "reason", "rule"));
        assertEquals(CONTAINED, ManagementApi.sample(m, "quietbridge_port_dropped_frames_total", "port", "core0",
                "reason", "nlb_contained"));
        assertEquals(CONTAINED, ManagementApi.sample(m, "quietbridge_nlb_cluster_frames_total", "cluster", CLUSTER_IP,
                "vlan", "", "outcome", "contained"));
        assertEquals(FORWARDED, ManagementApi.sample(m, "quietbridge_nlb_cluster_frames_total", "cluster", CLUSTER_IP,
                "vlan", "", "outcome", "forwarded"));
        assertEquals(1.0, ManagementApi.sample(m, "quietbridge_nlb_cluster_member_ports", "cluster", CLUSTER_IP,
                "vlan", ""));
        Map<String, Object> status = api.json("/api/status");
        assertEquals(1.0, ManagementApi.sample(m, "quietbridge_build_info", "version", (String) status.get("version")));
        assertEquals(1.0, ManagementApi.sample(m, "quietbridge_rules_info", "mode", "enforce", "digest",
                (String) status.get("rules_digest")));
        for (PrometheusText.Family f : m.values()) {
            assertTrue(f.name().startsWith("quietbridge_"), "every metric is the bridge's own: " + f.name());
        }
    }

    @Test
    @Order(1)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyGetEndpointAlsoAnswersHeadWithoutABody() {
        for (String target : GET_ENDPOINTS) {
            ManagementApi.Response get = api.get(target);
            ManagementApi.Response head = api.head(target);
            assertEquals(200, get.status(), "GET " + target + ": " + get.body());
            assertEquals(200, head.status(), "HEAD " + target);
            assertEquals("", head.body(), "HEAD " + target + " has no body");
            assertEquals(get.header("content-type"), head.header("content-type"), "HEAD " + target);
        }
        ManagementApi.Response page = api.get("/");
        assertTrue(page.header("content-type").startsWith("text/html"), page.header("content-type"));
        assertTrue(page.body().contains("id=\"bm-chart\""), "the dashboard page");
        assertEquals(Integer.toString(page.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length),
                api.head("/").header("content-length"), "HEAD / announces the page's length");
    }

    @Test
    @Order(1)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void unknownPathsWrongMethodsAndBadQueriesGetTheir4xx() {
        api.get("/api/nope").expectError(404, "not_found", "GET /api/nope");
        api.get("/metrics/").expectError(404, "not_found", "GET /metrics/");

        ManagementApi.Response post = api.request("POST", "/api/status", null);
        post.expectError(405, "method_not_allowed", "POST /api/status");
        assertEquals("GET, HEAD", post.header("allow"));
        ManagementApi.Response get = api.get("/api/reload");
        get.expectError(405, "method_not_allowed", "GET /api/reload");
        assertEquals("POST", get.header("allow"));
        api.request("DELETE", "/metrics", null).expectError(405, "method_not_allowed", "DELETE /metrics");

        for (String query : List.of("minutes=0", "minutes=61", "minutes=abc", "minutes=", "minutes=5&minutes=6",
                "limit=0", "limit=101")) {
            api.get("/api/top-talkers?" + query).expectError(400, "bad_query", "GET /api/top-talkers?" + query);
        }
    }

    /** Runs last: its one accepted reload moves the reload counter. */
    @Test
    @Order(2)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void reloadNeedsTheTokenAndRefusesOversizedBodiesAndForeignOrigins() {
        ManagementApi.Response none = api.request("POST", "/api/reload", null);
        none.expectError(401, "unauthorized", "POST /api/reload without a token");
        assertEquals("Bearer realm=\"quietbridge\"", none.header("www-authenticate"));
        ManagementApi.Response wrong = api.request("POST", "/api/reload", null, "Authorization: Bearer not-" + TOKEN);
        wrong.expectError(401, "unauthorized", "POST /api/reload with a wrong token");
        assertEquals("Bearer realm=\"quietbridge\", error=\"invalid_token\"", wrong.header("www-authenticate"));
        api.request("POST", "/api/reload", null, "Authorization: Bearer " + TOKEN, "Origin: http://evil.example")
                .expectError(403, "forbidden", "POST /api/reload from another origin");
        api.request("POST", "/api/reload", new byte[64 * 1024 + 1], "Authorization: Bearer " + TOKEN,
                "Content-Type: application/octet-stream")
                .expectError(413, "payload_too_large", "POST /api/reload with a body over 64 KiB");

        Map<String, Object> counters = api.json("/api/counters");
        assertEquals(0L, counters.get("reloads"), "no refused request reached the reloader: " + counters);
        assertEquals(0L, counters.get("reload_failures"), "no refused request reached the reloader: " + counters);

        // The reload, then at once (as a script would) the rules and the metrics: the hits of the
        // same-named rules carry over, so no reader ever sees a counter go back, not even before the
        // data plane's next round swaps the new set in.
        List<ManagementApi.Response> r = api.backToBack(List.of(
                List.of("POST /api/reload", "Authorization: Bearer " + TOKEN), List.of("GET /api/rules"),
                List.of("GET /metrics")));
        Map<String, Object> ok = r.get(0).expect(200, "POST /api/reload with the token");
        assertEquals("applied", ok.get("outcome"), ok.toString());
        assertEquals((long) NETBIOS, byName(r.get(1).json().get("rules")).get(ProbeRules.L2_RULE).get("hits"),
                "hits right after the reload: " + r.get(1).body());
        assertEquals(NETBIOS, ManagementApi.sample(PrometheusText.parse(r.get(2).body()), "quietbridge_rule_hits_total",
                "rule", ProbeRules.L2_RULE, "action", "drop"), "rule_hits_total right after the reload");
        assertEquals(api.json("/api/status").get("rules_digest"), ok.get("rules_digest"), ok.toString());
        assertEquals(1L, api.json("/api/counters").get("reloads"));
        assertEquals(1.0, ManagementApi.sample(api.metrics(), "quietbridge_reloads_total"));
    }

    /**
     * The same cluster IP on a second VLAN is a second cluster (README: learned per cluster IP and
     * VLAN): /api/nlb tells the two apart, and /metrics stays valid, with one series per cluster.
     * Runs after the others: it adds a cluster.
     */
    @Test
    @Order(3)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theSameClusterIpOnTwoVlansIsTwoClustersInNlbAndInMetrics() {
        wire.sendAndSettle(Role.CORE, List.of(FrameBuilder.ethernet().src(MEMBER_MAC).vlan(0x8100, 10)
                .nlbGratuitousArp(CLUSTER_IP).build()));
        Map<String, Object> n = api.json("/api/nlb");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> clusters = (List<Map<String, Object>>) n.get("clusters");
        assertEquals(2, clusters.size(), n.toString());
        assertEquals(2, clusters.stream().map(c -> c.get("vlan")).distinct().count(),
                "the two clusters differ by VLAN: " + n);

        ManagementApi.Response r = api.get("/metrics");
        assertEquals(200, r.status(), "GET /metrics with a cluster IP on two VLANs: " + r.body());
        Map<String, PrometheusText.Family> m = api.metrics();
        assertEquals(CONTAINED, ManagementApi.sample(m, "quietbridge_nlb_cluster_frames_total", "cluster", CLUSTER_IP,
                "vlan", "", "outcome", "contained"));
        assertEquals(0.0, ManagementApi.sample(m, "quietbridge_nlb_cluster_frames_total", "cluster", CLUSTER_IP,
                "vlan", "10", "outcome", "contained"));
    }

    /** A JSON array of objects with a "name", keyed by it, in order. */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> byName(Object array) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Map<String, Object> o : (List<Map<String, Object>>) array) {
            out.put((String) o.get("name"), o);
        }
        return out;
    }
}
