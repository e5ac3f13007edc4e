package org.quietbridge.bridge.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

import org.quietbridge.bridge.forward.ArpCounter;
import org.quietbridge.bridge.forward.FailoverCounter;
import org.quietbridge.bridge.forward.FdbCounter;
import org.quietbridge.bridge.forward.LoadCounter;
import org.quietbridge.bridge.forward.PortCounter;
import org.quietbridge.frame.Malformation;

/**
 * The bridge's Prometheus metrics, read from a {@link ManagementBackend} at scrape time: every
 * metric is a callback over the counters the data plane already keeps, so the data plane never
 * does anything for metrics.
 *
 * <p>Names are stable; dashboards and alerts depend on them. Port and MAC-table metrics are
 * derived from the stable labels of {@link PortCounter} and {@link FdbCounter}, so a counter added
 * there shows up here by itself:
 * <ul>
 *   <li>{@code quietbridge_port_rx_frames_total{port}}, {@code _rx_bytes_total},
 *       {@code _tx_frames_total}, {@code _tx_bytes_total};</li>
 *   <li>{@code quietbridge_port_dropped_frames_total{port,reason}}: one {@code reason} per
 *       {@code drop_*} port counter, without the prefix ({@code rule}, {@code same_port},
 *       {@code too_big}, {@code truncated}, {@code runt}, {@code tx_ring_full}, {@code link_local},
 *       {@code nlb_contained}, {@code rx_ring_full}: the kernel's drops when the RX ring was full);
 *       {@code same_port} is a learning bridge's normal filtering;</li>
 *   <li>{@code quietbridge_port_rx_super_frames_total{port}}: GSO/GRO super-frames (every frame counter
 *       counts their segments), {@code quietbridge_port_rx_ring_freezes_total{port}} (TPACKET_V3);</li>
 *   <li>{@code quietbridge_port_<label>_frames_total{port}} for every other port counter:
 *       {@code rx_broadcast_multicast}, {@code forwarded_broadcast_multicast}, {@code malformed},
 *       {@code checksum_completed}, {@code checksum_unfixable}, {@code flooded};</li>
 *   <li>{@code quietbridge_fdb_entries} (gauge) and {@code quietbridge_fdb_<label>_total}:
 *       {@code learned}, {@code moved}, {@code table_full}, {@code aged}, {@code static_conflict};</li>
 *   <li>{@code quietbridge_malformed_frames_total{reason}} (labels of {@link Malformation});</li>
 *   <li>{@code quietbridge_rule_hits_total{rule,action}};</li>
 *   <li>{@code quietbridge_nlb_cluster_frames_total{cluster,outcome}} with outcome
 *       {@code contained}, {@code forwarded}, {@code flooded_unknown};
 *       {@code quietbridge_nlb_cluster_moves_total{cluster}};
 *       {@code quietbridge_nlb_cluster_member_ports{cluster}} (gauge);</li>
 *   <li>ARP containment: {@code quietbridge_arp_frames_total{outcome}} (contained, rewritten, same_side,
 *       flooded_unknown, skipped_*), {@code quietbridge_arp_binding_events_total{kind}} (learned, moved,
 *       conflicts, aged, table_full), {@code quietbridge_arp_bindings} (gauge);</li>
 *   <li>{@code quietbridge_storm_control_frames_total{port,class,outcome}} with outcome {@code dropped},
 *       {@code logged} (over the limit, forwarded: action log); {@code quietbridge_storms_total{port,class}};
 *       {@code quietbridge_storm_active{port,class}} (gauge, 1 during a storm);</li>
 *   <li>{@code quietbridge_reloads_total}, {@code quietbridge_reload_failures_total},
 *       {@code quietbridge_dataplane_errors_total};</li>
 *   <li>headroom: {@code quietbridge_dataplane_busy_seconds_total}, {@code _busy_rounds_total},
 *       {@code _frames_total};</li>
 *   <li>failover: {@code quietbridge_failover_active} (gauge), {@code _handovers_total{cause}} (start, stall,
 *       stop), {@code _stalled_seconds_total}, {@code _gate_errors_total};</li>
 *   <li>{@code quietbridge_up} (1 while the data plane forwards), {@code quietbridge_uptime_seconds},
 *       {@code quietbridge_build_info{version}}, {@code quietbridge_rules_info{mode,digest}}.</li>
 * </ul>
 *
 * <p>One scrape reads the backend once ({@link #scrape}), so every metric of a scrape comes from
 * the same reading. Thread-safe: scrapes are serialized.
 */
final class BridgeMetrics {
    /** What {@link #scrape} writes: the Prometheus text format 0.0.4. */
    static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private static final String PREFIX = "quietbridge_";

    private final ManagementBackend backend;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer =
            PrometheusTextFormatWriter.builder().setIncludeCreatedTimestamps(false).build();

    // The reading of the scrape under way; only touched under this object's lock.
    private StatusInfo status;
    private DataPlaneCounters counters;
    private List<RuleInfo> rules = List.of();
    private List<NlbClusterInfo> nlb = List.of();
    private List<StormLimitInfo> storms = List.of();
    private ArpInfo arp = ArpInfo.off();

    BridgeMetrics(ManagementBackend backend) {
        this.backend = backend;
        registerProcess();
        registerPorts();
        registerFdb();
        registerMalformed();
        registerRules();
        registerNlb();
        registerStorms();
        registerArp();
    }

    /** Every metric name this class exposes, as written (counters with {@code _total}). */
    static List<String> metricNames() {
        List<String> names = new ArrayList<>();
        names.addAll(List.of("quietbridge_up", "quietbridge_port_up", "quietbridge_uptime_seconds", "quietbridge_build_info",
                "quietbridge_rules_info", "quietbridge_reloads_total", "quietbridge_reload_failures_total",
                "quietbridge_dataplane_errors_total", "quietbridge_dataplane_busy_seconds_total",
                "quietbridge_dataplane_busy_rounds_total", "quietbridge_dataplane_frames_total",
                "quietbridge_failover_active", "quietbridge_failover_handovers_total",
                "quietbridge_failover_stalled_seconds_total", "quietbridge_failover_gate_errors_total"));
        names.addAll(portMetricNames().keySet());
        for (FdbCounter c : FdbCounter.values()) {
            names.add(fdbMetricName(c));
        }
        names.addAll(List.of("quietbridge_malformed_frames_total", "quietbridge_rule_hits_total",
                "quietbridge_nlb_cluster_frames_total", "quietbridge_nlb_cluster_moves_total",
                "quietbridge_nlb_cluster_member_ports", "quietbridge_storm_control_frames_total",
                "quietbridge_storms_total", "quietbridge_storm_active", "quietbridge_arp_frames_total",
                "quietbridge_arp_binding_events_total", "quietbridge_arp_bindings"));
        return names;
    }

    /** Reads the backend once and writes every metric in the Prometheus text format. */
    synchronized byte[] scrape() {
        status = backend.status();
        counters = backend.counters();
        rules = backend.rules();
        nlb = backend.nlb();
        storms = backend.storms();
        arp = backend.arp();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing metrics into memory", e);
        } finally {
            status = null;
            counters = null;
            rules = List.of();
            nlb = List.of();
            storms = List.of();
            arp = ArpInfo.off();
        }
    }

    private void registerProcess() {
        GaugeWithCallback.builder().name(PREFIX + "up")
                .help("1 while the data-plane thread forwards, else 0")
                .callback(cb -> cb.call(status.forwarding() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name(PREFIX + "port_up")
                .help("1 while the port's interface is there, up, with carrier; 0 while it is gone, down, without"
                        + " carrier, or held down by link_state: propagate").labelNames("port")
                .callback(cb -> {
                    for (StatusInfo.Port p : status.ports()) {
                        cb.call(p.state().equals("up") ? 1 : 0, p.name());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name(PREFIX + "uptime_seconds")
                .help("seconds since the bridge started")
                .callback(cb -> cb.call(status.uptimeSeconds())).register(registry);
        registry.register(info(PREFIX + "build", "the running build", () -> Labels.of("version", status.version())));
        registry.register(info(PREFIX + "rules", "the rule set in use: its mode and SHA-256 digest",
                () -> Labels.of("mode", status.mode(), "digest", status.rulesDigest())));
        counter(PREFIX + "reloads_total", "configuration reloads applied", DataPlaneCounters::reloads);
        counter(PREFIX + "reload_failures_total", "configuration reloads rejected (the old configuration stayed)",
                DataPlaneCounters::reloadFailures);
        counter(PREFIX + "dataplane_errors_total", "errors the data-plane thread survived",
                DataPlaneCounters::dataPlaneErrors);
        // Headroom: rate(busy_seconds) is the share of time the data plane works rather than idles;
        // rate(frames) / rate(busy_rounds) is the frames it takes per busy round (VPP's vectors per call).
        CounterWithCallback.builder().name(PREFIX + "dataplane_busy_seconds_total")
                .help("seconds the data-plane thread spent forwarding (rate: the share of time it is busy)")
                .callback(cb -> cb.call(counters.load(LoadCounter.BUSY_NANOS) / 1e9)).register(registry);
        counter(PREFIX + "dataplane_busy_rounds_total", "data-plane rounds that forwarded frames",
                d -> d.load(LoadCounter.BUSY_ROUNDS));
        GaugeWithCallback.builder().name(PREFIX + "failover_active")
                .help("1 while the kernel's stand-in forwards between the ports (the data plane has not held it)")
                .callback(cb -> cb.call(counters.kernelForwards() ? 1 : 0)).register(registry);
        CounterWithCallback.builder().name(PREFIX + "failover_handovers_total")
                .help("hand-overs between the data plane and the kernel's stand-in, by cause").labelNames("cause")
                .callback(cb -> {
                    cb.call(counters.failover(FailoverCounter.TAKEN_AT_START), "start");
                    cb.call(counters.failover(FailoverCounter.TAKEN_AFTER_STALL), "stall");
                    cb.call(counters.failover(FailoverCounter.RELEASED_AT_STOP), "stop");
                }).register(registry);
        CounterWithCallback.builder().name(PREFIX + "failover_stalled_seconds_total")
                .help("seconds the kernel forwarded while the data plane stood still")
                .callback(cb -> cb.call(counters.failover(FailoverCounter.STALLED_NANOS) / 1e9)).register(registry);
        counter(PREFIX + "failover_gate_errors_total", "holds of the kernel's stand-in the kernel refused",
                d -> d.failover(FailoverCounter.GATE_ERRORS));
        counter(PREFIX + "dataplane_frames_total", "frames the data plane took from its RX rings, a super-frame once"
                + " (per busy round: the batch size it runs at)", d -> d.load(LoadCounter.FRAMES));
    }

    private void counter(String name, String help, ToLongFunction<DataPlaneCounters> value) {
        CounterWithCallback.builder().name(name).help(help)
                .callback(cb -> cb.call(value.applyAsLong(counters))).register(registry);
    }

    /** Port metric name → the counters it covers (several only for the dropped-frames family). */
    static Map<String, List<PortCounter>> portMetricNames() {
        Map<String, List<PortCounter>> names = new LinkedHashMap<>();
        for (PortCounter c : PortCounter.values()) {
            names.computeIfAbsent(portMetricName(c), k -> new ArrayList<>()).add(c);
        }
        return names;
    }

    static String portMetricName(PortCounter c) {
        String label = c.label();
        if (label.startsWith("drop_")) {
            return PREFIX + "port_dropped_frames_total";
        }
        if (c.isEvent() || label.endsWith("_frames") || label.endsWith("_bytes") || label.endsWith("_freezes")) {
            return PREFIX + "port_" + label + "_total";
        }
        return PREFIX + "port_" + label + "_frames_total";
    }

    private static String dropReason(PortCounter c) {
        return c.label().substring("drop_".length());
    }

    private void registerPorts() {
        for (Map.Entry<String, List<PortCounter>> e : portMetricNames().entrySet()) {
            List<PortCounter> covered = List.copyOf(e.getValue());
            boolean drops = e.getKey().endsWith("_dropped_frames_total");
            CounterWithCallback.Builder b = CounterWithCallback.builder().name(e.getKey());
            if (drops) {
                StringJoiner help = new StringJoiner(", ", "frames dropped or filtered per port, by reason: ", "");
                for (PortCounter c : covered) {
                    help.add(dropReason(c) + " (" + c.help() + ")");
                }
                b.help(help.toString()).labelNames("port", "reason").callback(cb -> {
                    for (DataPlaneCounters.Port p : counters.ports()) {
                        for (PortCounter c : covered) {
                            cb.call(p.get(c), p.name(), dropReason(c));
                        }
                    }
                });
            } else {
                PortCounter c = covered.getFirst();
                b.help(c.help() + ", per port").labelNames("port").callback(cb -> {
                    for (DataPlaneCounters.Port p : counters.ports()) {
                        cb.call(p.get(c), p.name());
                    }
                });
            }
            b.register(registry);
        }
    }

    static String fdbMetricName(FdbCounter c) {
        return c == FdbCounter.ENTRIES ? PREFIX + "fdb_entries" : PREFIX + "fdb_" + c.label() + "_total";
    }

    private void registerFdb() {
        for (FdbCounter c : FdbCounter.values()) {
            if (c == FdbCounter.ENTRIES) {
                GaugeWithCallback.builder().name(fdbMetricName(c)).help("MAC table: entries in the table now")
                        .callback(cb -> cb.call(counters.fdb(c))).register(registry);
            } else {
                counter(fdbMetricName(c), "MAC table: " + c.help(), d -> d.fdb(c));
            }
        }
    }

    private void registerMalformed() {
        CounterWithCallback.builder().name(PREFIX + "malformed_frames_total")
                .help("frames that could not be decoded in full, by reason").labelNames("reason")
                .callback(cb -> {
                    for (Malformation m : Malformation.values()) {
                        if (m != Malformation.NONE) {
                            cb.call(counters.malformed(m), m.label());
                        }
                    }
                }).register(registry);
    }

    private void registerRules() {
        CounterWithCallback.builder().name(PREFIX + "rule_hits_total")
                .help("frames that matched each rule of the rule set in use, with the action taken")
                .labelNames("rule", "action")
                .callback(cb -> {
                    for (RuleInfo r : rules) {
                        cb.call(r.hits(), r.name(), r.action());
                    }
                }).register(registry);
    }

    private void registerNlb() {
        CounterWithCallback.builder().name(PREFIX + "nlb_cluster_frames_total")
                .help("frames for each NLB cluster by outcome: contained (kept off ports where the cluster"
                        + " does not live), forwarded (to member ports), flooded_unknown (no member port known yet)")
                .labelNames("cluster", "vlan", "outcome")
                .callback(cb -> {
                    for (NlbClusterInfo n : nlb) {
                        cb.call(n.contained(), n.clusterIp(), vlanLabel(n), "contained");
                        cb.call(n.forwarded(), n.clusterIp(), vlanLabel(n), "forwarded");
                        cb.call(n.floodedUnknown(), n.clusterIp(), vlanLabel(n), "flooded_unknown");
                    }
                }).register(registry);
        CounterWithCallback.builder().name(PREFIX + "nlb_cluster_moves_total")
                .help("times each NLB cluster's learned location changed").labelNames("cluster", "vlan")
                .callback(cb -> {
                    for (NlbClusterInfo n : nlb) {
                        cb.call(n.moves(), n.clusterIp(), vlanLabel(n));
                    }
                }).register(registry);
        GaugeWithCallback.builder().name(PREFIX + "nlb_cluster_member_ports")
                .help("ports each NLB cluster lives on now").labelNames("cluster", "vlan")
                .callback(cb -> {
                    for (NlbClusterInfo n : nlb) {
                        cb.call(n.memberPorts().size(), n.clusterIp(), vlanLabel(n));
                    }
                }).register(registry);
    }

    private void registerArp() {
        CounterWithCallback.builder().name(PREFIX + "arp_frames_total")
                .help("ARP frames by what containment did: contained (to the owner's port only), rewritten (and to"
                        + " its MAC), same_side (not forwarded), flooded_unknown, skipped_* (never contained)")
                .labelNames("outcome")
                .callback(cb -> {
                    for (ArpCounter c : ArpCounter.values()) {
                        if (c.isOutcome() && arp.counters().containsKey(c.label())) {
                            cb.call(arp.counters().get(c.label()), c.label());
                        }
                    }
                }).register(registry);
        CounterWithCallback.builder().name(PREFIX + "arp_binding_events_total")
                .help("ARP bindings learned, moved (the owner on another port), taken over by another MAC (conflicts),"
                        + " aged out, or not learned because the table was full")
                .labelNames("kind")
                .callback(cb -> {
                    for (ArpCounter c : ArpCounter.values()) {
                        if (!c.isOutcome() && c != ArpCounter.BINDINGS && arp.counters().containsKey(c.label())) {
                            cb.call(arp.counters().get(c.label()), c.label());
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name(PREFIX + "arp_bindings").help("ARP bindings in the table now")
                .callback(cb -> cb.call(arp.counters().getOrDefault(ArpCounter.BINDINGS.label(), 0L)))
                .register(registry);
    }

    private void registerStorms() {
        CounterWithCallback.builder().name(PREFIX + "storm_control_frames_total")
                .help("frames over a storm-control limit, per ingress port and class: dropped, or logged (action log:"
                        + " forwarded and counted)")
                .labelNames("port", "class", "outcome")
                .callback(cb -> {
                    for (StormLimitInfo s : storms) {
                        cb.call(s.dropped(), s.port(), s.stormClass(), "dropped");
                        cb.call(s.logged(), s.port(), s.stormClass(), "logged");
                    }
                }).register(registry);
        CounterWithCallback.builder().name(PREFIX + "storms_total")
                .help("storms that began: more frames of the class within one second than the limit")
                .labelNames("port", "class")
                .callback(cb -> {
                    for (StormLimitInfo s : storms) {
                        cb.call(s.storms(), s.port(), s.stormClass());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name(PREFIX + "storm_active")
                .help("1 while a storm lasts on the port's class, else 0").labelNames("port", "class")
                .callback(cb -> {
                    for (StormLimitInfo s : storms) {
                        cb.call(s.active() ? 1 : 0, s.port(), s.stormClass());
                    }
                }).register(registry);
    }

    /**
     * A cluster is one per cluster IP and VLAN, so both label its series (two series with the
     * same labels would make the whole scrape invalid). Untagged is the empty value, which
     * Prometheus stores as no label at all.
     */
    private static String vlanLabel(NlbClusterInfo n) {
        return n.vlan() < 0 ? "" : Integer.toString(n.vlan());
    }

    /** An info metric ({@code name_info} with value 1) whose labels are read at scrape time. */
    private static Collector info(String name, String help, Supplier<Labels> labels) {
        return () -> InfoSnapshot.builder().name(name).help(help)
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(labels.get()).build())
                .build();
    }
}
