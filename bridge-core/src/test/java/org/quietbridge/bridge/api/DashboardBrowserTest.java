package org.quietbridge.bridge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.quietbridge.bridge.config.ManagementSettings;

/**
 * The dashboard in a real browser: headless Chromium loads the page from a running server whose
 * fake data plane moves on every poll, and the DOM it leaves must show charts and tables drawn
 * from live numbers. Skipped when no Chromium is installed (.ci/run installs Debian's).
 *
 * <p>Chromium's virtual time runs the page's 2-second polls without waiting for them in real
 * time, and the fake's clock moves 2 s per counters read, so the rates are exact: 250 frames per
 * 2 s is 125/s received, 65/s forwarded. No assertion depends on how fast the machine is.
 */
@Timeout(240)
class DashboardBrowserTest {
    private static final long STEP_MILLIS = 2_000;

    private static Path browser;

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final FakeBackend fake = new FakeBackend(clock::get);
    private ManagementServer server;

    @TempDir
    Path tmp;

    /** Moves the fake data plane {@code rounds} ticks on each counters read, 2 s of its clock. */
    private final class Moving implements ManagementBackend {
        private final IntUnaryOperator rounds;
        private int reads;

        Moving(IntUnaryOperator rounds) {
            this.rounds = rounds;
        }

        @Override
        public StatusInfo status() {
            return fake.status();
        }

        @Override
        public synchronized DataPlaneCounters counters() {
            clock.addAndGet(STEP_MILLIS);
            for (int i = rounds.applyAsInt(reads++); i > 0; i--) {
                fake.tick();
            }
            return fake.counters();
        }

        @Override
        public CompletableFuture<List<FdbEntry>> fdb() {
            return fake.fdb();
        }

        @Override
        public List<RuleInfo> rules() {
            return fake.rules();
        }

        @Override
        public List<NlbClusterInfo> nlb() {
            return fake.nlb();
        }

        @Override
        public List<StormLimitInfo> storms() {
            return fake.storms();
        }

        @Override
        public ArpInfo arp() {
            return fake.arp();
        }

        @Override
        public CompletableFuture<ArpInfo> arpBindings() {
            return fake.arpBindings();
        }

        @Override
        public CompletableFuture<List<TopTalker>> topTalkers(int minutes, int limit) {
            return fake.topTalkers(minutes, limit);
        }

        @Override
        public CompletableFuture<ReloadResult> reload() {
            return fake.reload();
        }
    }

    @BeforeAll
    static void findChromium() {
        browser = HeadlessBrowser.find().orElse(null);
        Assumptions.assumeTrue(browser != null,
                "no headless browser on PATH (" + HeadlessBrowser.NAMES + "); apt-get install chromium (as .ci/run does)");
    }

    private void serve(IntUnaryOperator rounds) throws IOException {
        server = ManagementServer.start(new Moving(rounds), new ManagementSettings("127.0.0.1", 0, null,
                ManagementSettings.DEFAULT_MAX_BODY_BYTES));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Runs headless Chromium on the dashboard with {@code extra} arguments; returns its stdout. */
    private String chromium(int virtualMillis, String... extra) throws Exception {
        Path profile = Files.createDirectories(tmp.resolve("profile-" + System.nanoTime()));
        List<String> cmd = new ArrayList<>(List.of(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--disable-features=Translate,MediaRouter,OptimizationHints",
                "--user-data-dir=" + profile, "--virtual-time-budget=" + virtualMillis));
        cmd.addAll(List.of(extra));
        cmd.add("http://127.0.0.1:" + server.address().getPort() + "/");
        Path out = tmp.resolve("stdout-" + System.nanoTime());
        Path err = tmp.resolve("stderr-" + System.nanoTime());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("HOME", tmp.toString());
        Process p = pb.start();
        try {
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                throw new AssertionError("chromium did not finish in 180 s: " + Files.readString(err));
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + tail(err));
        return stdout;
    }

    private static String tail(Path file) {
        try {
            String s = Files.readString(file);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String attribute(String dom, String elementPattern, String attribute) {
        Matcher m = Pattern.compile("<" + elementPattern + "[^>]*?\\s" + attribute + "=\"([^\"]*)\"").matcher(dom);
        assertTrue(m.find(), () -> "no " + attribute + " on " + elementPattern + " in " + dom);
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

    @Test
    void chartsAndTablesShowLiveNumbers() throws Exception {
        serve(read -> 1);
        String dom = chromium(20_000, "--dump-dom");
        Files.writeString(Path.of("target", "dashboard-dom.html"), dom);

        int points = Integer.parseInt(attribute(dom, "svg id=\"bm-chart\"", "data-points"));
        assertTrue(points > 0, "the rate chart has points: " + points);
        assertTrue(fake.ticks() >= 2, "the page polled more than once");

        // Every poll moved the fake by exactly 250 broadcast/multicast frames in 2 s, 130 forwarded.
        List<String> panels = all(dom, "<g class=\"port-panel\" data-port=\"([^\"]+)\"");
        assertEquals(List.of("ap0", "core0"), panels);
        assertEquals(List.of("125.000", "125.000"), all(dom, "data-last-rx=\"([^\"]+)\""));
        assertEquals(List.of("65.000", "65.000"), all(dom, "data-last-fwd=\"([^\"]+)\""));
        assertTrue(dom.contains("class=\"rx-line\"") && dom.contains("class=\"fwd-line\""), "both lines drawn");

        // The share removed is what the fake's counters say: 48 %.
        Matcher share = Pattern.compile("<div id=\"share-removed\"[^>]*>([^<]*)</div>").matcher(dom);
        assertTrue(share.find(), dom);
        assertEquals(FakeBackend.REMOVED_PERCENT + "%", share.group(1));
        double exact = Double.parseDouble(attribute(dom, "div id=\"share-removed\"", "data-share"));
        assertEquals(FakeBackend.REMOVED_PERCENT / 100.0, exact, 1e-9);

        // Rules, top talkers and NLB clusters come from their endpoints.
        assertEquals(List.of("netbios-broadcast-l2", "netbios-broadcast-l3", "count-llmnr"),
                all(dom, "<tr data-rule=\"([^\"]+)\""));
        long l2Hits = Long.parseLong(all(dom, "<tr data-rule=\"netbios-broadcast-l2\" data-hits=\"([0-9]+)\"").getFirst());
        assertTrue(l2Hits > 0 && l2Hits % 240 == 0, "live hits: " + l2Hits);
        assertEquals(List.of("02:00:00:00:01:01", "02:00:00:00:01:02"), all(dom, "<tr data-mac=\"([^\"]+)\""));
        assertEquals(List.of("10.8.1.50"), all(dom, "<tr data-cluster=\"([^\"]+)\""));
        // Storm control and ARP containment, from /api/storm and /api/arp?bindings=false.
        assertEquals(List.of("true"), all(dom, "<tr data-storm=\"ap0 broadcast\" data-active=\"([a-z]+)\""));
        assertTrue(dom.contains("storm \u00b7 02:00:00:00:5a:5a"), "the storm's top source shows");
        assertEquals(List.of("rewritten", "contained", "same_side", "flooded_unknown", "skipped_probe",
                "skipped_gratuitous", "skipped_unicast", "skipped_sender_mismatch", "skipped_nlb"),
                all(dom, "<tr data-arp=\"([a-z_]+)\""));
        assertTrue(Pattern.compile("<p id=\"arp-mode\"[^>]*>mode unicast \u00b7 2 bindings").matcher(dom).find(), dom);
        assertEquals(List.of("ap0", "core0"), all(dom, "<tr data-port=\"([^\"]+)\""));
        assertEquals(List.of("0", "0"), all(dom, "<tr data-port=\"[^\"]+\" data-ring-drops=\"([0-9]+)\""));
        // Every tick the fake was busy 0.5 s of the 2 s and took 2500 frames in 10 rounds.
        assertEquals("0.250", attribute(dom, "div class=\"sub\" id=\"headroom\"", "data-busy"));
        assertEquals("250.0", attribute(dom, "div class=\"sub\" id=\"headroom\"", "data-frames-per-round"));
        assertEquals("ok", attribute(dom, "div id=\"live\"", "class"), "the page reached every endpoint");
        assertTrue(dom.contains(">enforce<") && dom.contains(">1.2.3-test<"), "status header filled in");
    }

    @Test
    void screenshotForPeople() throws Exception {
        Path png = Path.of("target", "dashboard.png").toAbsolutePath();
        Files.deleteIfExists(png);
        // Traffic that rises and falls, over four minutes of the page's time.
        serve(read -> 1 + (int) Math.round(2 + 2 * Math.sin(read / 9.0) + (read % 7 == 0 ? 2 : 0)));
        chromium(240_000, "--screenshot=" + png, "--window-size=1280,1180", "--hide-scrollbars");
        assertTrue(Files.size(png) > 10_000, "a real picture, not an empty page: " + Files.size(png) + " bytes");
    }

}
