package org.quietbridge.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quietbridge stats}: a compact table of a running instance's counters, from its
 * management API ({@code /api/status}, {@code /api/counters}, {@code /api/rules},
 * {@code /api/nlb}).
 */
@Command(name = "stats", description = "Print a running quietbridge's counters.")
final class StatsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The running instance's configuration: where its API listens.")
    Path config;

    @Option(names = "--api", paramLabel = "HOST:PORT", description = "Where the API listens (default 127.0.0.1:9700).")
    String api;

    @Override
    public Integer call() {
        ApiClient client = ApiClient.of(api, null, config);
        Map<String, Object> status = client.get("api/status").body();
        Map<String, Object> counters = client.get("api/counters").body();
        Map<String, Object> rules = client.get("api/rules").body();
        Map<String, Object> nlb = client.get("api/nlb").body();
        Map<String, Object> storm = client.get("api/storm").body();
        Map<String, Object> arp = client.get("api/arp?bindings=false").body();
        PrintWriter out = spec.commandLine().getOut();
        print(out, status, counters, rules, nlb);
        printStormAndArp(out, storm, arp);
        return ExitCode.OK;
    }

    @SuppressWarnings("unchecked")
    static void print(PrintWriter out, Map<String, Object> status, Map<String, Object> counters,
            Map<String, Object> rules, Map<String, Object> nlb) {
        String digest = String.valueOf(status.get("rules_digest"));
        out.printf(Locale.ROOT, "quietbridge %s, pid %s, up %s, mode %s, rules %s%n", status.get("version"),
                status.get("pid"), uptime(number(status.get("uptime_seconds"))), status.get("mode"),
                digest.length() > 12 ? digest.substring(0, 12) : digest);
        out.printf(Locale.ROOT, "%-10s %12s %12s %14s %12s %12s %9s%n", "port", "rx frames", "tx frames",
                "bcast+mcast in", "forwarded", "dropped", "removed");
        for (Map<String, Object> p : (List<Map<String, Object>>) counters.get("ports")) {
            long in = number(p.get("rx_broadcast_multicast"));
            long fwd = number(p.get("forwarded_broadcast_multicast"));
            long dropped = number(p.get("drop_rule")) + number(p.get("drop_nlb_contained")) + number(p.get("drop_storm"))
                    + number(p.get("drop_arp_same_side"));
            out.printf(Locale.ROOT, "%-10s %12d %12d %14d %12d %12d %9s%n", p.get("name"), number(p.get("rx_frames")),
                    number(p.get("tx_frames")), in, fwd, dropped, in == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%",
                            100.0 * (in - fwd) / in));
        }
        // Frames lost rather than filtered: the kernel's ring drops first, each reason apart.
        for (Map<String, Object> p : (List<Map<String, Object>>) counters.get("ports")) {
            StringBuilder lost = new StringBuilder("lost on ").append(p.get("name")).append(':');
            for (String reason : LOST_REASONS) {
                lost.append(' ').append(reason).append('=').append(number(p.get("drop_" + reason)));
            }
            out.println(lost);
        }
        Map<String, Object> load = (Map<String, Object>) counters.get("dataplane");
        if (load != null) {
            long rounds = number(load.get("busy_rounds"));
            double uptime = status.get("uptime_seconds") instanceof Number n ? n.doubleValue() : 0;
            out.printf(Locale.ROOT, "data plane: busy %.1f%% of its uptime, %.1f frames per busy round%n",
                    uptime > 0 ? 100.0 * number(load.get("busy_nanos")) / 1e9 / uptime : 0.0,
                    rounds > 0 ? (double) number(load.get("frames")) / rounds : 0.0);
        }
        out.println("rules:");
        for (Map<String, Object> r : (List<Map<String, Object>>) rules.get("rules")) {
            out.printf(Locale.ROOT, "  %-32s %-8s %12d%n", r.get("name"), r.get("action"), number(r.get("hits")));
        }
        Map<String, Object> fdb = (Map<String, Object>) counters.get("fdb");
        out.printf(Locale.ROOT, "fdb: %d entries (learned %d, moved %d, not learned while full %d)%n",
                number(fdb.get("entries")), number(fdb.get("learned")), number(fdb.get("moved")),
                number(fdb.get("table_full")));
        out.printf(Locale.ROOT, "reloads: %d applied, %d refused%n", number(counters.get("reloads")),
                number(counters.get("reload_failures")));
        List<Map<String, Object>> clusters = (List<Map<String, Object>>) nlb.get("clusters");
        if (clusters != null) {
            for (Map<String, Object> c : clusters) {
                out.printf(Locale.ROOT, "nlb %s%s %s on %s: contained %d, forwarded %d, flooded while unknown %d%n",
                        c.get("cluster_ip"), c.get("vlan") == null ? "" : " vlan " + c.get("vlan"), c.get("mac"), String.join(",", (List<String>) c.get("member_ports")),
                        number(c.get("contained")), number(c.get("forwarded")), number(c.get("flooded_unknown")));
            }
        }
    }

    /**
     * One line per storm-control limit, and one for ARP containment unless it is off:
     * {@code storm ap0 broadcast: 500 frames/s, 1 storms, 56501 dropped, 0 logged (a storm now)} and
     * {@code arp: mode unicast, 12 bindings; contained 0, rewritten 40, same side 7, flooded unknown 2}.
     */
    @SuppressWarnings("unchecked")
    static void printStormAndArp(PrintWriter out, Map<String, Object> storm, Map<String, Object> arp) {
        for (Map<String, Object> l : (List<Map<String, Object>>) storm.getOrDefault("limits", List.of())) {
            out.printf(Locale.ROOT, "storm %s %s: %d frames/s, %d storms, %d dropped, %d logged%s%n", l.get("port"),
                    l.get("class"), number(l.get("pps")), number(l.get("storms")), number(l.get("dropped")),
                    number(l.get("logged")), Boolean.TRUE.equals(l.get("active")) ? " (a storm now, top source "
                            + l.get("top_source") + ")" : "");
        }
        if (!"off".equals(arp.get("mode"))) {
            Map<String, Object> c = (Map<String, Object>) arp.get("counters");
            out.printf(Locale.ROOT, "arp: mode %s, %d bindings; contained %d, rewritten %d, same side %d, flooded"
                    + " unknown %d; %d moved, %d conflicts%n", arp.get("mode"), number(c.get("bindings")),
                    number(c.get("contained")), number(c.get("rewritten")), number(c.get("same_side")),
                    number(c.get("flooded_unknown")), number(c.get("moved")), number(c.get("conflicts")));
        }
    }

    /** Drop reasons that lose frames the rules did not ask to drop (PortCounter drop_* labels without "drop_"). */
    private static final List<String> LOST_REASONS = List.of("rx_ring_full", "tx_ring_full", "too_big", "truncated",
            "runt");

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static String uptime(long seconds) {
        long h = seconds / 3600;
        long m = seconds % 3600 / 60;
        return h > 0 ? h + "h" + String.format(Locale.ROOT, "%02d", m) + "m" : m + "m" + (seconds % 60) + "s";
    }
}
