package org.quietbridge.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.api.PrometheusText;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.Capture;
import org.quietbridge.it.Direction;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.ManagementApi;
import org.quietbridge.it.Marker;
import org.quietbridge.it.ProbeRules;
import org.quietbridge.it.TrafficStream;
import org.quietbridge.it.Wire;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.Role;

/**
 * Hot reload while traffic flows (README, "Deploying", step 6: "the new rules take over between
 * two batches, with no frame lost, and a broken file is refused while the old rules keep
 * running").
 *
 * <p>A stream of numbered unicast frames runs from the AP host to the core host at about 3,000
 * frames/s, with a NetBIOS broadcast every 50 frames, while the test reloads 20 times: SIGHUP,
 * {@code quietbridge reload} and {@code POST /api/reload} in turn, alternating between rule sets A
 * and B ({@link ProbeRules}), with every fourth reload a broken file. After each reload a probe
 * (a UDP broadcast to port 9999) shows on the wire which rules are in force: it crosses under A and
 * is dropped under B. Then every numbered frame must have reached the core host exactly once, and
 * the bridge's own books (reload counters in /metrics, rule hits, drop counters) must agree with
 * what was sent.
 *
 * <p>The numbered stream has a capture of its own on the core host; probes and barriers are in
 * captures that leave the stream out, so waiting for a barrier stays cheap.
 */
@LabTest("reload")
class ReloadUnderLoadTest {
    private static final int RELOADS = 20;
    private static final int BROKEN_EVERY = 4;
    private static final int STREAM_FPS = 3000;
    private static final int NETBIOS_EVERY = 50;
    private static final Duration SIGHUP_LIMIT = Duration.ofSeconds(30);
    private static final Direction AP_TO_CORE = Direction.AP_TO_CORE;
    /** A reload line of the bridge's own log (every reload logs one, whoever asked for it). */
    private static final Pattern RELOAD_LOG_LINE = Pattern.compile(
            "^quietbridge: (?:\\S+: reloaded, |reload failed, the running configuration stays: ).*$");

    private static LabFixture fixture;
    private static Wire wire;
    private static Capture stream;
    private static ManagementApi api;
    private static BridgeProcess bridge;

    /** How a reload is asked for. */
    private enum Via {
        SIGHUP,
        COMMAND,
        HTTP
    }

    /** What one reload answered: applied or not, and the message (file:line:column for a refusal). */
    private record Outcome(boolean applied, String message) {
    }

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void startBridge() {
        wire = Wire.open(fixture, TrafficStream.NOT_STREAM);
        stream = fixture.capture(Role.CORE, "stream", TrafficStream.FILTER);
        api = new ManagementApi(fixture);
        bridge = BridgeProcess.startWithApi(fixture, "bridge", ProbeRules.a(""));
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void twentyReloadsUnderLoadLoseNoFrameAndSwitchTheRulesExactlyWhenApplied() {
        TrafficStream traffic = TrafficStream.start(fixture, AP_TO_CORE, STREAM_FPS,
                List.of(ProbeRules.netbiosBroadcast(AP_TO_CORE, Marker.of("stream-netbios"))), NETBIOS_EVERY);
        Await.until(Wire.CROSS_LIMIT, "the first numbered frames on the core host", () -> !stream.frames().isEmpty());

        int probesDropped = 0;
        int probesDroppedSinceB = 0;
        boolean inForceB = false;
        assertTrue(probe("start", inForceB), "set A in force at the start");
        String digestA = status().get("rules_digest").toString();
        String digestB = null;
        int applied = 0;
        int refused = 0;
        Map<Via, Integer> refusedVia = new LinkedHashMap<>();
        List<String> history = new ArrayList<>();
        for (int i = 1; i <= RELOADS; i++) {
            Via via = Via.values()[i % Via.values().length];
            boolean broken = i % BROKEN_EVERY == 0;
            // A broken file holds the other set's rules: if any part of it took effect, the probe would flip.
            String content = broken ? ProbeRules.broken("", !inForceB) : inForceB ? ProbeRules.a("") : ProbeRules.b("");
            fixture.write(bridge.config().getFileName().toString(), content);
            String before = status().get("rules_digest").toString();

            Outcome outcome = reload(via);
            String what = "reload " + i + " (" + (broken ? "broken file" : inForceB ? "to A" : "to B") + ", via " + via
                    + "): " + outcome.message();
            history.add(what);
            String digest = status().get("rules_digest").toString();
            if (broken) {
                assertTrue(!outcome.applied(), what);
                String where = bridge.config() + ":" + ProbeRules.errorPosition(content) + ": "
                        + ProbeRules.BAD_PORT_MESSAGE;
                assertTrue(outcome.message().contains(where), what + "\nwant " + where);
                assertEquals(before, digest, "the broken file changed the rule-set digest: " + what);
                refused++;
                refusedVia.merge(via, 1, Integer::sum);
            } else {
                assertTrue(outcome.applied(), what);
                assertTrue(outcome.message().startsWith(bridge.config() + ": reloaded, "), what);
                inForceB = !inForceB;
                if (inForceB) {
                    digestB = digestB == null ? digest : digestB;
                    probesDroppedSinceB = 0;
                }
                assertEquals(inForceB ? digestB : digestA, digest, "digest after " + what);
                applied++;
            }
            assertTrue(traffic.isAlive(), "the traffic stream stopped during " + what);
            if (!probe("after-" + i, inForceB)) {
                probesDropped++;
                probesDroppedSinceB++;
            }
        }
        assertNotEquals(digestA, digestB, "sets A and B have different digests");
        assertEquals(EnumSet.allOf(Via.class), EnumSet.copyOf(refusedVia.keySet()),
                "every way of reloading was given a broken file: " + refusedVia);

        TrafficStream.Sent sent = traffic.stop();
        assertNumberedFramesArrivedExactlyOnce(sent);

        // The bridge's books: reloads in /metrics and /api/counters, rule hits carried over by name.
        Map<String, PrometheusText.Family> metrics = api.metrics();
        assertEquals(applied, ManagementApi.sample(metrics, "quietbridge_reloads_total"), "reloads_total\n" + history);
        assertEquals(refused, ManagementApi.sample(metrics, "quietbridge_reload_failures_total"),
                "reload_failures_total\n" + history);
        Map<String, Object> counters = api.json("/api/counters");
        assertEquals((long) applied, counters.get("reloads"), "/api/counters reloads");
        assertEquals((long) refused, counters.get("reload_failures"), "/api/counters reload_failures");
        long netbios = sent.extras()[0];
        assertTrue(inForceB, "the run ends under set B (its probe rule's hits are checked below)");
        assertEquals(Map.of(ProbeRules.L2_RULE, netbios, ProbeRules.L3_RULE, 0L,
                // The probe rule is not in A: its count starts again each time B comes back.
                ProbeRules.PROBE_RULE, (long) probesDroppedSinceB), ruleHits(),
                "rule hits: the NetBIOS rules kept their count through " + applied + " reloads");
        assertEquals((double) netbios, ManagementApi.sample(metrics, "quietbridge_rule_hits_total", "rule",
                ProbeRules.L2_RULE, "action", "drop"), "rule_hits_total of " + ProbeRules.L2_RULE);

        BridgeProcess.Stopped stopped = bridge.stop().assertClean();
        String output = "\n" + stopped.output();
        assertEquals(netbios + probesDropped, stopped.summary().counter("ap0", "drop_rule"),
                "ap0 drop_rule: the stream's NetBIOS broadcasts and the probes sent under B" + output);
        assertEquals(0, stopped.summary().counter("ap0", "drop_tx_ring_full"), output);
        assertEquals(0, stopped.summary().counter("core0", "drop_tx_ring_full"), output);
        assertEquals(netbios, stopped.summary().hits(ProbeRules.L2_RULE), output);
    }

    /**
     * Sends a probe and a barrier behind it; returns whether the probe crossed, after asserting
     * that it did exactly when set A is in force.
     */
    private static boolean probe(String name, boolean inForceB) {
        byte[] marker = Marker.of("probe-" + name);
        byte[] frame = ProbeRules.probe(AP_TO_CORE, marker);
        wire.sendAndSettle(Role.AP, List.of(frame));
        String what = "probe " + name + " under set " + (inForceB ? "B (dropped)" : "A (crosses)");
        if (inForceB) {
            wire.assertNeverArrived(what, marker, frame, Role.CORE);
            return false;
        }
        wire.assertCrossedOnceUnchanged(what, marker, frame, Role.AP, Role.CORE);
        return true;
    }

    private static Outcome reload(Via via) {
        return switch (via) {
            case SIGHUP -> {
                long before = reloadLogLines().size();
                bridge.signal("HUP");
                Await.until(SIGHUP_LIMIT, () -> "the bridge's reload line after SIGHUP:\n" + bridge.output(),
                        () -> reloadLogLines().size() > before);
                String line = reloadLogLines().getLast();
                String message = line.replaceFirst("^quietbridge: (reload failed, the running configuration stays: )?",
                        "");
                yield new Outcome(!line.contains("reload failed"), message);
            }
            case COMMAND -> {
                CommandResult r = fixture.quietbridge(List.of(), "reload", "--api", "127.0.0.1:9700");
                if (r.exitCode() == 0) {
                    yield new Outcome(true, r.stdout().strip());
                }
                assertEquals(2, r.exitCode(), "quietbridge reload exit status (2: refused):\n" + r.stderr());
                List<String> lines = r.stderr().lines().toList();
                assertEquals(1, lines.size(), "one line on stderr: " + r.stderr());
                String prefix = "quietbridge: reload refused, the running configuration stays: ";
                assertTrue(lines.getFirst().startsWith(prefix), lines.getFirst());
                yield new Outcome(false, lines.getFirst().substring(prefix.length()));
            }
            case HTTP -> {
                ManagementApi.Response r = api.request("POST", "/api/reload", null);
                Map<String, Object> body = r.json();
                if (r.status() == 200) {
                    assertEquals("applied", body.get("outcome"), r.body());
                    assertEquals(Boolean.TRUE, body.get("ok"), r.body());
                    yield new Outcome(true, (String) body.get("message"));
                }
                assertEquals(422, r.status(), "POST /api/reload of a broken file: " + r.body());
                assertEquals("rejected", body.get("outcome"), r.body());
                assertEquals(Boolean.FALSE, body.get("ok"), r.body());
                yield new Outcome(false, (String) body.get("message"));
            }
        };
    }

    private static List<String> reloadLogLines() {
        return bridge.output().lines().filter(l -> RELOAD_LOG_LINE.matcher(l).matches()).toList();
    }

    private static Map<String, Object> status() {
        return api.json("/api/status");
    }

    /** Rule name to hits, from /api/rules. */
    private static Map<String, Long> ruleHits() {
        Map<String, Long> hits = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rules = (List<Map<String, Object>>) api.json("/api/rules").get("rules");
        for (Map<String, Object> r : rules) {
            hits.put((String) r.get("name"), (Long) r.get("hits"));
        }
        return hits;
    }

    /**
     * Every numbered frame the stream sent reached the core host exactly once. A frame missing is
     * the bridge's loss only when tcpdump lost none itself; the message says which.
     */
    private static void assertNumberedFramesArrivedExactlyOnce(TrafficStream.Sent sent) {
        assertTrue(sent.numbered() > STREAM_FPS, "the stream ran for more than a second: " + sent.numbered());
        try {
            Await.until(Wire.CROSS_LIMIT, "all " + sent.numbered() + " numbered frames on the core host",
                    () -> Arrays.stream(TrafficStream.countNumbered(stream.pcap(), sent.numbered())).allMatch(c -> c > 0));
        } catch (AssertionError missing) {
            // Judged below, once tcpdump has stopped and said whether it lost frames itself.
        } finally {
            stream.close();
        }
        int[] counts = TrafficStream.countNumbered(stream.pcap(), sent.numbered());
        List<String> bad = TrafficStream.notExactlyOnce(counts, 20);
        if (!bad.isEmpty()) {
            fail("numbered frames that did not arrive exactly once (number x copies), of " + sent.numbered() + ": "
                    + bad + "; tcpdump lost " + stream.droppedByTcpdump() + " itself; the bridge's counters: "
                    + api.json("/api/counters").get("ports"));
        }
    }
}
