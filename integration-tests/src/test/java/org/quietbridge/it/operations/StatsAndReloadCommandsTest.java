package org.quietbridge.it.operations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.capture.CaptureReader;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.Capture;
import org.quietbridge.it.Direction;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.ManagementApi;
import org.quietbridge.it.Marker;
import org.quietbridge.it.ProbeRules;
import org.quietbridge.it.Wire;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.Role;

/**
 * The operator's commands against a running instance, run as an operator would, inside the
 * bridge namespace: {@code quietbridge stats} prints what the bridge counts, {@code quietbridge
 * reload} applies a changed file (exit 0), refuses a broken one (exit 2, one line
 * {@code file:line:column: message}), needs the token the configuration sets (exit 2 without it or
 * with a wrong one, as for any bad input), and says when nothing answers (exit 1); SIGUSR1
 * writes the last dropped frames to a pcap in {@code --dump-dir}.
 *
 * <p>One bridge, started on rule set A ({@link ProbeRules}) with a reload token; the tests run in
 * order, each leaving the rules in force that the next expects, and a probe on the wire says which
 * rules are in force.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@LabTest("cmds")
class StatsAndReloadCommandsTest {
    private static final String TOKEN = "e2e-cli-token";
    private static final String API = "api: {token: " + TOKEN + "}\n";
    private static final int NETBIOS = 6;
    private static final Direction AP_TO_CORE = Direction.AP_TO_CORE;
    private static final Duration DUMP_LIMIT = Duration.ofSeconds(30);
    /** {@code quietbridge stats}'s port line: name, rx, tx, bcast+mcast in, forwarded, dropped, removed. */
    private static final Pattern PORT_ROW = Pattern.compile(
            "^(\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)$");
    private static final Pattern RULE_ROW = Pattern.compile("^  (\\S+)\\s+(\\S+)\\s+(\\d+)$");

    private static LabFixture fixture;
    private static Wire wire;
    private static ManagementApi api;
    private static BridgeProcess bridge;
    private static Path dumps;
    /** Frames the rules dropped so far, in order, as sent. */
    private static final List<byte[]> dropped = new ArrayList<>();
    private static int probes;

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void startBridge() throws IOException {
        dumps = Files.createDirectories(fixture.dir().resolve("dumps"));
        wire = Wire.open(fixture);
        api = new ManagementApi(fixture);
        bridge = BridgeProcess.startWithApi(fixture, "bridge", ProbeRules.a(API), "--dump-dir", dumps.toString());
    }

    @Test
    @Order(1)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void statsPrintsThePortsAndRuleHitsTheBridgeCounts() {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < NETBIOS; i++) {
            frames.add(ProbeRules.netbiosBroadcast(AP_TO_CORE, Marker.of("stats-netbios-" + i)));
        }
        wire.sendAndSettle(Role.AP, frames);
        dropped.addAll(frames);
        Map<String, Object> before = api.json("/api/counters");

        CommandResult r = fixture.quietbridge(List.of(), "stats");
        assertEquals(0, r.exitCode(), "quietbridge stats: " + r.stderr());
        Map<String, Object> after = api.json("/api/counters");
        Map<String, Object> status = api.json("/api/status");
        String out = r.stdout();

        assertTrue(out.lines().findFirst().orElse("").matches("quietbridge \\S+, pid " + bridge.pid() + ", up \\S+,"
                + " mode enforce, rules " + status.get("rules_digest").toString().substring(0, 12)), out);
        Map<String, long[]> rows = portRows(out);
        assertEquals(List.of("ap0", "core0"), List.copyOf(rows.keySet()), out);
        for (Map<String, Object> port : ports(after)) {
            String name = (String) port.get("name");
            Map<String, Object> was = ports(before).stream().filter(p -> name.equals(p.get("name"))).findFirst()
                    .orElseThrow();
            long[] row = rows.get(name);
            String[] columns = {"rx_frames", "tx_frames", "rx_broadcast_multicast", "forwarded_broadcast_multicast"};
            for (int c = 0; c < columns.length; c++) {
                long v = row[c];
                assertTrue((Long) was.get(columns[c]) <= v && v <= (Long) port.get(columns[c]), name + " " + columns[c]
                        + " " + v + " is the bridge's, between " + was.get(columns[c]) + " and " + port.get(columns[c])
                        + ":\n" + out);
            }
            assertEquals((Long) port.get("drop_rule") + (Long) port.get("drop_nlb_contained"), row[4],
                    name + " dropped:\n" + out);
        }
        assertEquals(NETBIOS, rows.get("ap0")[4], "ap0 dropped the NetBIOS broadcasts:\n" + out);
        assertEquals(Map.of(ProbeRules.L2_RULE, "drop " + NETBIOS, ProbeRules.L3_RULE, "drop 0"), ruleRows(out), out);
        assertTrue(out.contains("\nreloads: 0 applied, 0 refused\n"), out);

        CommandResult viaConfig = fixture.quietbridge(List.of(), "stats", "-c", bridge.config().toString());
        assertEquals(0, viaConfig.exitCode(), viaConfig.stderr());
        assertEquals(ruleRows(out), ruleRows(viaConfig.stdout()), "stats -c FILE asks the same bridge");
    }

    @Test
    @Order(2)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void reloadAppliesAChangedFile() {
        probe(false);
        fixture.write(bridge.config().getFileName().toString(), ProbeRules.b(API));
        CommandResult r = fixture.quietbridge(List.of(), "reload", "-c", bridge.config().toString());
        assertEquals(0, r.exitCode(), "quietbridge reload -c FILE of a valid file: " + r.stderr());
        String digest = api.json("/api/status").get("rules_digest").toString();
        assertEquals(bridge.config() + ": reloaded, 3 rules, mode enforce, digest " + digest.substring(0, 12),
                r.stdout().strip());
        assertEquals(Map.of(ProbeRules.L2_RULE, "drop " + NETBIOS, ProbeRules.L3_RULE, "drop 0", ProbeRules.PROBE_RULE,
                "drop 0"), ruleRows(fixture.quietbridge(List.of(), "stats").stdout()),
                "the new rule is listed, and the NetBIOS rules kept their hits");
        probe(true);
    }

    @Test
    @Order(3)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void reloadRefusesABrokenFileWithOneLineAndTheRulesStay() {
        String broken = ProbeRules.broken(API, false);
        fixture.write(bridge.config().getFileName().toString(), broken);
        String where = bridge.config() + ":" + ProbeRules.errorPosition(broken) + ": " + ProbeRules.BAD_PORT_MESSAGE;
        String digest = api.json("/api/status").get("rules_digest").toString();

        // With -c the command reads the file itself (for the address and token) and stops there.
        CommandResult local = fixture.quietbridge(List.of(), "reload", "-c", bridge.config().toString());
        assertEquals(2, local.exitCode(), "quietbridge reload -c BROKEN: " + local.stderr());
        assertEquals(List.of(where), local.stderr().lines().toList(), "one line, file:line:column: message");
        assertEquals("", local.stdout());

        // Without -c the bridge reads it, refuses it and counts the refusal.
        CommandResult remote = fixture.quietbridge(List.of(), "reload", "--api", "127.0.0.1:9700", "--token", TOKEN);
        assertEquals(2, remote.exitCode(), "quietbridge reload --token T of a broken file: " + remote.stderr());
        assertEquals(List.of("quietbridge: reload refused, the running configuration stays: " + where),
                remote.stderr().lines().toList());

        assertEquals(digest, api.json("/api/status").get("rules_digest"), "the rules in force did not change");
        assertEquals(1L, api.json("/api/counters").get("reload_failures"), "the bridge counted its one refusal");
        probe(true);
    }

    @Test
    @Order(4)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void reloadNeedsTheConfiguredTokenAndSaysWhenNothingAnswers() {
        fixture.write(bridge.config().getFileName().toString(), ProbeRules.a(API));
        String wantsToken = "quietbridge: the API wants a token: give --token, $QUIETBRIDGE_TOKEN or -c FILE";
        List<String> noEnvToken = List.of("-u", "QUIETBRIDGE_TOKEN");

        CommandResult none = fixture.quietbridge(noEnvToken, "reload", "--api", "127.0.0.1:9700");
        assertEquals(2, none.exitCode(), "no token (401 is bad input): " + none.stderr());
        assertEquals(List.of(wantsToken), none.stderr().lines().toList());
        CommandResult wrong = fixture.quietbridge(noEnvToken, "reload", "--api", "127.0.0.1:9700", "--token", "nope");
        assertEquals(2, wrong.exitCode(), "a wrong token: " + wrong.stderr());
        assertEquals(List.of("quietbridge: the API refused the token"), wrong.stderr().lines().toList());
        probe(true); // still B: neither reached the reloader

        CommandResult env = fixture.quietbridge(List.of("QUIETBRIDGE_TOKEN=" + TOKEN), "reload", "--api",
                "127.0.0.1:9700");
        assertEquals(0, env.exitCode(), "the token from $QUIETBRIDGE_TOKEN: " + env.stderr());
        assertTrue(env.stdout().strip().startsWith(bridge.config() + ": reloaded, 2 rules"), env.stdout());
        probe(false);

        CommandResult option = fixture.quietbridge(noEnvToken, "reload", "--api", "127.0.0.1:9700", "--token", TOKEN);
        assertEquals(0, option.exitCode(), "the token from --token: " + option.stderr());

        CommandResult nobody = fixture.quietbridge(noEnvToken, "reload", "--api", "127.0.0.1:9701", "--token", TOKEN);
        assertEquals(1, nobody.exitCode(), "nothing listens on 9701: " + nobody.stderr());
        assertEquals(List.of("quietbridge: no quietbridge answers on http://127.0.0.1:9701/ (is it running, in this"
                + " network namespace? see 'api:' in its configuration)"), nobody.stderr().lines().toList());

        Map<String, Object> counters = api.json("/api/counters");
        assertEquals(3L, counters.get("reloads"), "applied: B, then A twice: " + counters);
        assertEquals(1L, counters.get("reload_failures"), "refused: the broken file only, not the 401s: " + counters);
    }

    /**
     * SIGUSR1 writes the frames the rules dropped, oldest first, to a pcap in --dump-dir, byte for
     * byte as they were on the wire: a tagged one with its tag (which the kernel had stripped).
     */
    @Test
    @Order(5)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sigusr1WritesThePcapOfTheDroppedNetbiosBroadcasts() throws IOException {
        long sentFrom = System.currentTimeMillis();
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            frames.add(ProbeRules.netbiosBroadcast(AP_TO_CORE, Marker.of("dump-netbios-" + i)));
        }
        frames.add(FrameBuilder.ethernet().src(AP_TO_CORE.srcMac()).broadcast().vlan(0x8100, 10)
                .udp(AP_TO_CORE.srcIp(), "10.77.0.255", 137, 137).payload(Marker.of("dump-netbios-dot1q")).build());
        wire.sendAndSettle(Role.AP, frames);
        dropped.addAll(frames);

        long before = bridge.output().lines().filter(l -> l.contains("dropped frames to ")).count();
        bridge.signal("USR1");
        Pattern wrote = Pattern.compile("^quietbridge: wrote the last (\\d+) dropped frames to (\\S+)$");
        Matcher line = Await.value(DUMP_LIMIT, () -> "the bridge's line for SIGUSR1:\n" + bridge.output(),
                () -> bridge.output().lines().filter(l -> l.contains("dropped frames to ")).skip(before)
                        .map(wrote::matcher).filter(Matcher::matches).findFirst());
        long dumpedAt = System.currentTimeMillis();
        Path pcap = Path.of(line.group(2));
        assertEquals(dumps, pcap.getParent(), "written to --dump-dir");
        assertTrue(pcap.getFileName().toString().matches("quietbridge-dropped-\\d{8}-\\d{6}-" + bridge.pid()
                + "\\.pcap"), pcap.toString());

        List<byte[]> inFile = new ArrayList<>();
        List<Long> stamps = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(pcap)) {
            while (reader.next()) {
                inFile.add(reader.frame().asSlice(0, reader.capturedLength()).toArray(ValueLayout.JAVA_BYTE));
                assertEquals(reader.capturedLength(), reader.originalLength(), "whole frames, never cut");
                stamps.add(reader.timestampNanos());
            }
        }
        assertEquals(dropped.size(), Integer.parseInt(line.group(1)), "the line counts every frame dropped so far");
        assertEquals(dropped.size(), inFile.size(), "every dropped frame so far (fewer than the 256 kept)");
        for (int i = 0; i < dropped.size(); i++) {
            assertArrayEquals(dropped.get(i), inFile.get(i), "dropped frame " + i + " as sent:\n sent "
                    + Capture.hex(dropped.get(i)) + "\n file " + Capture.hex(inFile.get(i)));
        }
        for (long t : stamps.subList(stamps.size() - frames.size(), stamps.size())) {
            assertTrue(t / 1_000_000 >= sentFrom - 1000 && t / 1_000_000 <= dumpedAt + 1000,
                    "wall-clock time stamps: " + t / 1_000_000 + " not in " + sentFrom + ".." + dumpedAt);
        }
    }

    /**
     * The API reads its token once, at start. A reload of a file whose {@code api:} section
     * changed (here: a rotated token) must say that it needs a restart and change nothing, as a
     * changed port set does; it must not answer "reloaded" while the old token stays the one that
     * works.
     */
    @Test
    @Order(6)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aReloadThatChangesTheApiTokenSaysItNeedsARestartAndChangesNothing() {
        String rotated = "rotated-" + TOKEN;
        fixture.write(bridge.config().getFileName().toString(), ProbeRules.b("api: {token: " + rotated + "}\n"));
        long failures = (Long) api.json("/api/counters").get("reload_failures");

        CommandResult r = fixture.quietbridge(List.of("-u", "QUIETBRIDGE_TOKEN"), "reload", "--api", "127.0.0.1:9700",
                "--token", TOKEN);
        assertEquals(2, r.exitCode(), "a reload that would change the API's token: " + r.stdout() + r.stderr());
        List<String> lines = r.stderr().lines().toList();
        assertEquals(1, lines.size(), r.stderr());
        assertTrue(lines.getFirst().startsWith("quietbridge: reload refused, the running configuration stays: "
                + bridge.config() + ": ") && lines.getFirst().contains("restart"), lines.getFirst());
        assertTrue(!lines.getFirst().contains(rotated), "the message does not show the token: " + lines.getFirst());
        assertEquals(failures + 1, api.json("/api/counters").get("reload_failures"));
        probe(false); // the rules of the refused file (B) are not in force either
        api.request("POST", "/api/reload", null, "Authorization: Bearer " + rotated)
                .expectError(401, "unauthorized", "the rotated token before a restart");
    }

    /** Sends a probe and a barrier; asserts the probe was dropped when {@code dropped} (set B in force), else crossed. */
    private static void probe(boolean droppedByB) {
        byte[] marker = Marker.of("cmd-probe-" + ++probes);
        byte[] frame = ProbeRules.probe(AP_TO_CORE, marker);
        wire.sendAndSettle(Role.AP, List.of(frame));
        if (droppedByB) {
            wire.assertNeverArrived("probe " + probes + " under set B", marker, frame, Role.CORE);
            dropped.add(frame);
        } else {
            wire.assertCrossedOnceUnchanged("probe " + probes + " under set A", marker, frame, Role.AP, Role.CORE);
        }
    }

    /** Port name to {rx, tx, bcast+mcast in, forwarded, dropped}, from stats' table. */
    private static Map<String, long[]> portRows(String stats) {
        Map<String, long[]> rows = new LinkedHashMap<>();
        for (String l : stats.lines().toList()) {
            Matcher m = PORT_ROW.matcher(l);
            if (m.matches()) {
                long[] v = new long[5];
                for (int i = 0; i < 5; i++) {
                    v[i] = Long.parseLong(m.group(i + 2));
                }
                rows.put(m.group(1), v);
            }
        }
        return rows;
    }

    /** Rule name to "action hits", from stats' rules section. */
    private static Map<String, String> ruleRows(String stats) {
        Map<String, String> rows = new LinkedHashMap<>();
        boolean inRules = false;
        for (String l : stats.lines().toList()) {
            if (l.equals("rules:")) {
                inRules = true;
                continue;
            }
            Matcher m = RULE_ROW.matcher(l);
            if (inRules && m.matches()) {
                rows.put(m.group(1), m.group(2) + " " + m.group(3));
            } else {
                inRules = false;
            }
        }
        return rows;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> ports(Map<String, Object> counters) {
        return (List<Map<String, Object>>) counters.get("ports");
    }
}
