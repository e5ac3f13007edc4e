package org.quietbridge.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.api.HeadlessBrowser;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
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
 * The dashboard in headless Chromium against the bridge running in the lab, with live traffic
 * through it: numbered unicast frames from the AP host, and among them NetBIOS broadcasts
 * (dropped) and mDNS multicasts (forwarded). Chromium runs inside the bridge namespace, where the
 * API listens on 127.0.0.1:9700. The page must show numbers that come from this traffic: a rate
 * chart with points, a share of broadcast/multicast removed above 0 % that lies between the
 * bridge's own counters read before and after the page, rule rows with hits, and the AP host
 * among the top talkers. A screenshot stays in {@code target/e2e/dash/dashboard.png}.
 *
 * <p>Skipped, saying so, when no Chromium is installed ({@code .ci/run} installs it). As in
 * bridge-core's DashboardBrowserTest, Chromium's virtual time runs the page's 2-second polls
 * without waiting for them in real time (it pauses while a fetch is pending, so every poll gets
 * its answer).
 */
@LabTest("dash")
class DashboardLabTest {
    private static final Duration BROWSER_LIMIT = Duration.ofSeconds(120);
    private static final int VIRTUAL_MILLIS = 20_000;
    private static final Direction AP_TO_CORE = Direction.AP_TO_CORE;

    private static Path browser;
    private static LabFixture fixture;
    private static ManagementApi api;
    private static TrafficStream traffic;

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void startBridgeWithTraffic() {
        browser = HeadlessBrowser.find().orElse(null);
        Assumptions.assumeTrue(browser != null, "skipped: no headless browser on PATH (" + HeadlessBrowser.NAMES
                + "); apt-get install chromium (as .ci/run does)");
        api = new ManagementApi(fixture);
        BridgeProcess.startWithApi(fixture, "bridge", "ports: [ap0, core0]\n");
        byte[] mdns = FrameBuilder.ethernet().src(AP_TO_CORE.srcMac()).dst("01:00:5e:00:00:fb")
                .udp(AP_TO_CORE.srcIp(), "224.0.0.251", 5353, 5353).payload(Marker.of("dash-mdns")).build();
        traffic = TrafficStream.start(fixture, AP_TO_CORE, 1000,
                List.of(ProbeRules.netbiosBroadcast(AP_TO_CORE, Marker.of("dash-netbios")), mdns), 4);
        // The page asks for top talkers on its first poll: the AP host must have had frames dropped by then.
        Await.until(Wire.CROSS_LIMIT, "the first NetBIOS broadcasts dropped", () -> l2Hits() > 0);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void chartsShareAndTablesShowTheLiveTrafficThroughTheBridge() {
        long[] before = broadcastMulticast();
        long hitsBefore = l2Hits();
        String dom = chromium("--dump-dom");
        long[] after = broadcastMulticast();
        long hitsAfter = l2Hits();
        fixture.write("dashboard-dom.html", dom);
        assertTrue(traffic.isAlive(), "the traffic ran all along");

        assertEquals("ok", attribute(dom, "div id=\"live\"", "class"), "the page reached every endpoint");
        int points = Integer.parseInt(attribute(dom, "svg id=\"bm-chart\"", "data-points"));
        assertTrue(points > 0, "the rate chart has points: " + points);
        assertEquals(List.of("ap0", "core0"), all(dom, "<g class=\"port-panel\" data-port=\"([^\"]+)\""));
        assertTrue(dom.contains("class=\"rx-line\"") && dom.contains("class=\"fwd-line\""), "rate lines drawn");

        // The share removed: NetBIOS broadcasts out of NetBIOS plus mDNS, from the bridge's own counters.
        Matcher share = Pattern.compile("<div id=\"share-removed\"[^>]*>([0-9]+)%</div>").matcher(dom);
        assertTrue(share.find(), "a percentage in #share-removed");
        int percent = Integer.parseInt(share.group(1));
        assertTrue(percent > 0 && percent < 100, "share removed " + percent + "%");
        long rx = Long.parseLong(attribute(dom, "div id=\"share-removed\"", "data-rx"));
        long forwarded = Long.parseLong(attribute(dom, "div id=\"share-removed\"", "data-forwarded"));
        assertTrue(before[0] <= rx && rx <= after[0], "the page's broadcast/multicast count " + rx
                + " lies between the bridge's before and after: " + before[0] + ".." + after[0]);
        assertTrue(before[1] <= forwarded && forwarded <= after[1], "forwarded " + forwarded + " in " + before[1]
                + ".." + after[1]);
        assertEquals(Math.round(100.0 * (rx - forwarded) / rx), percent, "the percentage from the page's own counts");

        assertEquals(List.of(ProbeRules.L2_RULE, ProbeRules.L3_RULE), all(dom, "<tr data-rule=\"([^\"]+)\""));
        long hits = Long.parseLong(all(dom, "<tr data-rule=\"" + ProbeRules.L2_RULE + "\" data-hits=\"([0-9]+)\"")
                .getFirst());
        assertTrue(hits > 0 && hitsBefore <= hits && hits <= hitsAfter, "live hits " + hits + " in " + hitsBefore
                + ".." + hitsAfter);
        assertEquals(List.of(AP_TO_CORE.srcMac()), all(dom, "<tr data-mac=\"([^\"]+)\""), "the top talker");
        assertTrue(dom.contains(">enforce<"), "status header filled in");
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void screenshotForPeople() throws IOException {
        Path png = fixture.dir().resolve("dashboard.png");
        chromium("--screenshot=" + png, "--window-size=1280,1180", "--hide-scrollbars");
        assertTrue(Files.size(png) > 10_000, "a real picture, not an empty page: " + Files.size(png) + " bytes");
    }

    /** Runs headless Chromium in the bridge namespace on the dashboard; returns its stdout. */
    private static String chromium(String... extra) {
        Path profile = fixture.freshPath("chromium-profile", "d");
        try {
            Files.delete(profile);
            Files.createDirectories(profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(List.of("env", "HOME=" + profile, browser.toString(), "--headless",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--disable-features=Translate,MediaRouter,OptimizationHints",
                "--user-data-dir=" + profile, "--virtual-time-budget=" + VIRTUAL_MILLIS));
        cmd.addAll(List.of(extra));
        cmd.add("http://" + ManagementApi.HOST + ":" + ManagementApi.PORT + "/");
        CommandResult r = fixture.lab().exec(Role.BR, BROWSER_LIMIT, cmd.toArray(String[]::new));
        assertEquals(0, r.exitCode(), () -> "chromium failed: " + tail(r.stderr()));
        return r.stdout();
    }

    private static String tail(String s) {
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }

    /** Broadcast/multicast frames received and forwarded, summed over the ports, from /api/counters. */
    private static long[] broadcastMulticast() {
        long rx = 0;
        long forwarded = 0;
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> ports = (List<Map<String, Object>>) api.json("/api/counters").get("ports");
        for (Map<String, Object> p : ports) {
            rx += (Long) p.get("rx_broadcast_multicast");
            forwarded += (Long) p.get("forwarded_broadcast_multicast");
        }
        return new long[] {rx, forwarded};
    }

    private static long l2Hits() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rules = (List<Map<String, Object>>) api.json("/api/rules").get("rules");
        return rules.stream().filter(r -> ProbeRules.L2_RULE.equals(r.get("name"))).mapToLong(r -> (Long) r.get("hits"))
                .findFirst().orElse(-1);
    }

    private static String attribute(String dom, String elementPattern, String attribute) {
        Matcher m = Pattern.compile("<" + elementPattern + "[^>]*?\\s" + attribute + "=\"([^\"]*)\"").matcher(dom);
        assertTrue(m.find(), () -> "no " + attribute + " on " + elementPattern + " in the page");
        return m.group(1);
    }

    private static List<String> all(String dom, String regex) {
        Matcher m = Pattern.compile(regex).matcher(dom);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }
}
