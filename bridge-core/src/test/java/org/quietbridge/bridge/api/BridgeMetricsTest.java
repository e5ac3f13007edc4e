package org.quietbridge.bridge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.forward.FdbCounter;
import org.quietbridge.bridge.forward.PortCounter;
import org.quietbridge.frame.Malformation;

/** /metrics parses under the text-format rules, with stable names, labels and the backend's numbers. */
@Timeout(30)
class BridgeMetricsTest {
    private final AtomicLong clock = new AtomicLong(5_000_000);
    private final FakeBackend backend = new FakeBackend(clock::get);

    private Map<String, PrometheusText.Family> scrape() {
        String text = new String(new BridgeMetrics(backend).scrape(), StandardCharsets.UTF_8);
        return PrometheusText.parse(text);
    }

    private static double value(PrometheusText.Family f, Map<String, String> labels) {
        return f.samples().stream().filter(s -> s.labels().equals(labels)).findFirst()
                .orElseThrow(() -> new AssertionError(f.name() + " has no sample " + labels + ": " + f.samples()))
                .value();
    }

    @Test
    void everyDocumentedMetricIsExposedWithHelpAndType() {
        backend.tick();
        Map<String, PrometheusText.Family> families = scrape();
        for (String name : BridgeMetrics.metricNames()) {
            PrometheusText.Family f = families.get(name);
            assertNotNull(f, name + " missing; have " + families.keySet());
            assertTrue(f.help() != null && !f.help().isBlank(), name + " has no HELP");
            assertTrue(PrometheusText.METRIC_NAME.matcher(name).matches());
            assertTrue(name.startsWith("quietbridge_"));
            if (f.type().equals("counter")) {
                assertTrue(name.endsWith("_total"), name);
            } else {
                assertTrue(!name.endsWith("_total"), name + " is a " + f.type() + " named like a counter");
            }
        }
        assertEquals(Set.copyOf(BridgeMetrics.metricNames()), families.keySet(), "no undocumented metric");
    }

    @Test
    void everyPortCounterHasAMetricAndPortLabel() {
        backend.tick();
        Map<String, PrometheusText.Family> families = scrape();
        Set<PortCounter> covered = new HashSet<>();
        for (Map.Entry<String, List<PortCounter>> e : BridgeMetrics.portMetricNames().entrySet()) {
            PrometheusText.Family f = families.get(e.getKey());
            assertEquals("counter", f.type(), e.getKey());
            for (PrometheusText.Sample s : f.samples()) {
                assertTrue(Set.of("ap0", "core0").contains(s.labels().get("port")), s.toString());
            }
            covered.addAll(e.getValue());
        }
        assertEquals(Set.of(PortCounter.values()), covered);
    }

    @Test
    void portCountersCarryTheBackendsNumbers() {
        backend.tick();
        backend.tick();
        Map<String, PrometheusText.Family> f = scrape();
        assertEquals(2000, value(f.get("quietbridge_port_rx_frames_total"), Map.of("port", "ap0")));
        assertEquals(2001, value(f.get("quietbridge_port_rx_frames_total"), Map.of("port", "core0")));
        assertEquals(1_280_000, value(f.get("quietbridge_port_rx_bytes_total"), Map.of("port", "ap0")));
        assertEquals(500, value(f.get("quietbridge_port_rx_broadcast_multicast_frames_total"), Map.of("port", "ap0")));
        assertEquals(260, value(f.get("quietbridge_port_forwarded_broadcast_multicast_frames_total"),
                Map.of("port", "ap0")));
        PrometheusText.Family dropped = f.get("quietbridge_port_dropped_frames_total");
        assertEquals(240, value(dropped, Map.of("port", "ap0", "reason", "rule")));
        assertEquals(6, value(dropped, Map.of("port", "ap0", "reason", "same_port")));
        assertEquals(0, value(dropped, Map.of("port", "core0", "reason", "nlb_contained")));
        long reasons = dropped.samples().stream().map(s -> s.labels().get("reason")).distinct().count();
        assertEquals(java.util.Arrays.stream(PortCounter.values()).filter(c -> c.label().startsWith("drop_")).count(),
                reasons);
        assertEquals(1, value(f.get("quietbridge_port_malformed_frames_total"), Map.of("port", "core0")));
    }

    @Test
    void fdbMalformedRulesNlbAndReloadsAreThere() {
        backend.tick();
        Map<String, PrometheusText.Family> f = scrape();
        assertEquals("gauge", f.get("quietbridge_fdb_entries").type());
        assertEquals(2, value(f.get("quietbridge_fdb_entries"), Map.of()));
        assertEquals(6, value(f.get(BridgeMetrics.fdbMetricName(FdbCounter.LEARNED)), Map.of()));
        assertEquals("quietbridge_fdb_learned_total", BridgeMetrics.fdbMetricName(FdbCounter.LEARNED));
        assertEquals(1, value(f.get("quietbridge_malformed_frames_total"), Map.of("reason", "runt")));
        assertEquals(Malformation.values().length - 1, f.get("quietbridge_malformed_frames_total").samples().size());
        assertEquals(240, value(f.get("quietbridge_rule_hits_total"), Map.of("rule", "netbios-broadcast-l2", "action", "drop")));
        assertEquals(7, value(f.get("quietbridge_rule_hits_total"), Map.of("rule", "count-llmnr", "action", "count")));
        PrometheusText.Family nlb = f.get("quietbridge_nlb_cluster_frames_total");
        assertEquals(40, value(nlb, Map.of("cluster", "10.8.1.50", "vlan", "", "outcome", "contained")));
        assertEquals(12, value(nlb, Map.of("cluster", "10.8.1.50", "vlan", "", "outcome", "forwarded")));
        assertEquals(3, value(nlb, Map.of("cluster", "10.8.1.50", "vlan", "", "outcome", "flooded_unknown")));
        assertEquals(1, value(f.get("quietbridge_nlb_cluster_moves_total"), Map.of("cluster", "10.8.1.50", "vlan", "")));
        assertEquals(1, value(f.get("quietbridge_nlb_cluster_member_ports"), Map.of("cluster", "10.8.1.50", "vlan", "")));
        PrometheusText.Family arp = f.get("quietbridge_arp_frames_total");
        assertEquals(30, value(arp, Map.of("outcome", "rewritten")));
        assertEquals(4, value(arp, Map.of("outcome", "same_side")));
        assertEquals(0, value(arp, Map.of("outcome", "skipped_probe")));
        assertEquals(1, value(f.get("quietbridge_arp_binding_events_total"), Map.of("kind", "moved")));
        assertEquals(2, value(f.get("quietbridge_arp_bindings"), Map.of()));
        PrometheusText.Family storm = f.get("quietbridge_storm_control_frames_total");
        assertEquals(90, value(storm, Map.of("port", "ap0", "class", "broadcast", "outcome", "dropped")));
        assertEquals(0, value(storm, Map.of("port", "ap0", "class", "broadcast", "outcome", "logged")));
        assertEquals(1, value(f.get("quietbridge_storms_total"), Map.of("port", "ap0", "class", "broadcast")));
        assertEquals("gauge", f.get("quietbridge_storm_active").type());
        assertEquals(1, value(f.get("quietbridge_storm_active"), Map.of("port", "ap0", "class", "broadcast")));
        assertEquals(0, value(f.get("quietbridge_reloads_total"), Map.of()));
        backend.reload().join();
        assertEquals(1, value(scrape().get("quietbridge_reloads_total"), Map.of()));
    }

    @Test
    void headroomShowsBusyTimeRoundsAndFrames() {
        backend.tick();
        backend.tick();
        Map<String, PrometheusText.Family> f = scrape();
        assertEquals("counter", f.get("quietbridge_dataplane_busy_seconds_total").type());
        assertEquals(1.0, value(f.get("quietbridge_dataplane_busy_seconds_total"), Map.of()), 1e-9,
                "two ticks of 0.5 s busy, in seconds");
        assertEquals(20, value(f.get("quietbridge_dataplane_busy_rounds_total"), Map.of()));
        assertEquals(5000, value(f.get("quietbridge_dataplane_frames_total"), Map.of()), "250 frames a round");
    }

    @Test
    void failoverSaysWhetherTheKernelForwardsAndCountsHandoversByCause() {
        Map<String, PrometheusText.Family> f = scrape();
        assertEquals("gauge", f.get("quietbridge_failover_active").type());
        assertEquals(0, value(f.get("quietbridge_failover_active"), Map.of()));
        assertEquals(1, value(f.get("quietbridge_failover_handovers_total"), Map.of("cause", "start")));
        assertEquals(0, value(f.get("quietbridge_failover_handovers_total"), Map.of("cause", "stall")));
        assertEquals(0, value(f.get("quietbridge_failover_handovers_total"), Map.of("cause", "stop")));
        assertEquals(0, value(f.get("quietbridge_failover_stalled_seconds_total"), Map.of()));
        assertEquals(0, value(f.get("quietbridge_port_dropped_frames_total"), Map.of("port", "core0", "reason",
                "forwarded_by_kernel")));
    }

    @Test
    void eachPortSaysWhetherItIsUpAndCountsItsInterfaceEvents() {
        Map<String, PrometheusText.Family> f = scrape();
        assertEquals("gauge", f.get("quietbridge_port_up").type());
        assertEquals(1, value(f.get("quietbridge_port_up"), Map.of("port", "ap0")));
        assertEquals(1, value(f.get("quietbridge_port_up"), Map.of("port", "core0")));
        for (String event : List.of("vanished", "reopened", "carrier_lost", "held_down")) {
            assertEquals(0, value(f.get("quietbridge_port_" + event + "_total"), Map.of("port", "ap0")), event);
        }
        assertEquals(0, value(f.get("quietbridge_port_dropped_frames_total"), Map.of("port", "ap0", "reason",
                "port_gone")));
    }

    @Test
    void theKernelsRingDropsAreADropReasonOfTheirOwn() {
        Map<String, PrometheusText.Family> f = scrape();
        assertEquals(0, value(f.get("quietbridge_port_dropped_frames_total"), Map.of("port", "ap0", "reason",
                "rx_ring_full")));
        assertEquals("counter", f.get("quietbridge_port_rx_super_frames_total").type());
        assertEquals("counter", f.get("quietbridge_port_rx_ring_freezes_total").type());
    }

    @Test
    void processMetricsSayUpUptimeBuildAndRuleSet() {
        clock.addAndGet(12_000);
        Map<String, PrometheusText.Family> f = scrape();
        assertEquals(1, value(f.get("quietbridge_up"), Map.of()));
        assertEquals(12, value(f.get("quietbridge_uptime_seconds"), Map.of()));
        assertEquals(1, value(f.get("quietbridge_build_info"), Map.of("version", "1.2.3-test")));
        assertEquals(1, value(f.get("quietbridge_rules_info"), Map.of("mode", "enforce",
                "digest", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")));
    }

    @Test
    void labelValuesAreEscaped() {
        backend.renameFirstRule("odd \"rule\" \\ with\nnewline");
        Map<String, PrometheusText.Family> f = scrape();
        assertEquals(0, value(f.get("quietbridge_rule_hits_total"),
                Map.of("rule", "odd \"rule\" \\ with\nnewline", "action", "drop")));
    }

    @Test
    void emptyFamiliesStillParse() {
        // No traffic, and a backend without NLB clusters would leave those families empty.
        Map<String, PrometheusText.Family> f = scrape();
        assertEquals(0, value(f.get("quietbridge_port_rx_frames_total"), Map.of("port", "ap0")));
    }

    @Test
    void theParserRejectsWhatTheFormatForbids() {
        for (String bad : List.of(
                "x 1",                                            // no final newline
                "# TYPE x counter\nx 1\n",                        // counter without _total
                "x{a=\"1\",a=\"2\"} 1\n",                         // label twice
                "x{a=\"1} 1\n",                                    // unterminated value
                "x{__a=\"1\"} 1\n",                               // reserved label name
                "x{a=\"\\t\"} 1\n",                               // bad escape
                "1x 1\n",                                         // bad metric name
                "x one\n",                                        // bad value
                "x 1\n\nx_other 2\n",                             // empty line
                "x 1\ny 1\nx{a=\"b\"} 2\n",                         // family split up
                "x 1\nx 2\n",                                     // repeated series
                "# TYPE x gauge\n# TYPE x gauge\nx 1\n",          // second TYPE
                "# TYPE x_total counter\nx_total -1\n",           // negative counter
                "# TYPE x bogus\nx 1\n")) {                       // unknown type
            try {
                PrometheusText.parse(bad);
            } catch (IllegalArgumentException expected) {
                continue;
            }
            throw new AssertionError("accepted: " + bad);
        }
        assertEquals(3.0, PrometheusText.parse("# HELP a_total h\\\\x\n# TYPE a_total counter\na_total{b=\"c\\\"\",} 3 1700000000000\n")
                .get("a_total").samples().getFirst().value());
    }
}
