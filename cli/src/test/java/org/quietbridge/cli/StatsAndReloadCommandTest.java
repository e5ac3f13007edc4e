package org.quietbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class StatsAndReloadCommandTest {

    @Test
    void statsPrintsPortsRulesAndTheShareRemoved() {
        StringWriter s = new StringWriter();
        PrintWriter out = new PrintWriter(s);
        StatsCommand.print(out,
                Map.of("version", "1.0", "pid", 42, "uptime_seconds", 3725.5, "mode", "enforce", "rules_digest",
                        "0123456789abcdef"),
                Map.of("ports", List.of(Map.of("name", "ap0", "rx_frames", 1000, "tx_frames", 900,
                        "rx_broadcast_multicast", 200, "forwarded_broadcast_multicast", 104, "drop_rule", 96,
                        "drop_nlb_contained", 0, "drop_rx_ring_full", 17, "drop_too_big", 2)),
                        "fdb", Map.of("entries", 3, "learned", 5, "moved", 1, "table_full", 0),
                        "dataplane", Map.of("busy_rounds", 400, "frames", 10_000, "busy_nanos", 372_550_000_000L),
                        "reloads", 2, "reload_failures", 1),
                Map.of("rules", List.of(Map.of("name", "netbios-broadcast-l2", "action", "drop", "hits", 96))),
                Map.of("clusters", List.of()));
        out.flush();
        String text = s.toString();
        assertTrue(text.startsWith("quietbridge 1.0, pid 42, up 1h02m, mode enforce, rules 0123456789ab\n"), text);
        assertTrue(text.contains("ap0                1000          900            200          104           96     48.0%"),
                text);
        assertTrue(text.contains("  netbios-broadcast-l2             drop               96"), text);
        assertTrue(text.contains("fdb: 3 entries (learned 5, moved 1, not learned while full 0)"), text);
        assertTrue(text.contains("reloads: 2 applied, 1 refused"), text);
        assertTrue(text.contains("lost on ap0: rx_ring_full=17 tx_ring_full=0 too_big=2 truncated=0 runt=0\n"), text);
        assertTrue(text.contains("data plane: busy 10.0% of its uptime, 25.0 frames per busy round\n"), text);
    }

    @Test
    void statsPrintsEachStormLimitAndArpContainment() {
        StringWriter s = new StringWriter();
        PrintWriter out = new PrintWriter(s);
        java.util.HashMap<String, Object> limit = new java.util.HashMap<>(Map.of("port", "ap0", "class", "broadcast",
                "pps", 500, "storms", 1, "dropped", 56501, "logged", 0, "active", true));
        limit.put("top_source", "02:00:00:00:5a:5a");
        StatsCommand.printStormAndArp(out, Map.of("limits", List.of(limit)), Map.of("mode", "unicast", "counters",
                Map.of("bindings", 12, "contained", 0, "rewritten", 40, "same_side", 7, "flooded_unknown", 2, "moved", 1,
                        "conflicts", 0)));
        StatsCommand.printStormAndArp(out, Map.of("limits", List.of()), Map.of("mode", "off", "counters", Map.of()));
        out.flush();
        assertEquals("""
                storm ap0 broadcast: 500 frames/s, 1 storms, 56501 dropped, 0 logged (a storm now, top source 02:00:00:00:5a:5a)
                arp: mode unicast, 12 bindings; contained 0, rewritten 40, same side 7, flooded unknown 2; 1 moved, 0 conflicts
                """, s.toString());
    }

    @Test
    void nobodyListeningIsOneLineAndExitOne() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free again once closed: nothing listens there
        }
        for (String command : List.of("stats", "reload")) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.execute(new PrintWriter(out), new PrintWriter(err), command, "--api", "127.0.0.1:" + port);
            assertEquals(ExitCode.FAILURE, code, command);
            assertEquals("quietbridge: no quietbridge answers on http://127.0.0.1:" + port + "/ (is it running, in this"
                    + " network namespace? see 'api:' in its configuration)", err.toString().strip());
        }
    }

    @Test
    void aBadApiAddressIsBadInput() {
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "stats", "--api", "nope");
        assertEquals(ExitCode.BAD_INPUT, code);
        assertTrue(err.toString().startsWith("quietbridge: --api listen: expected host:port"), err.toString());
    }
}
