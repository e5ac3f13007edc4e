package org.quietbridge.it.filtering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.it.Capture;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.lab.Lab;
import org.quietbridge.lab.Role;

/**
 * NLB flood containment end to end: the real bridge ({@code bin/quietbridge run}) in the lab's
 * bridge namespace, a unicast-mode NLB cluster on the core side announced by a crafted
 * gratuitous ARP, and tcpdump on the hosts to see what crosses.
 *
 * <p>The cluster is 10.77.0.100 (in the lab subnet): 02:bf:0a:4d:00:64 in unicast mode,
 * 03:bf:0a:4d:00:64 in multicast mode, 01:00:5e:7f:00:64 in IGMP mode. Its member sends from
 * the masked MAC 02:01:0a:4d:00:64. Frames are put on the wire with a raw AF_PACKET socket
 * (python3), so they arrive exactly as built.
 *
 * <p>"Nothing crossed" is only a claim once the bridge has handled the frames: after the
 * cluster frames, the same socket sends a marker frame to the AP host, which must cross; the
 * bridge handles one port's frames in order, so when the marker is seen the cluster frames
 * before it were decided.
 */
@LabTest("nlb")
class NlbContainmentTest {
    private static final Duration READY_LIMIT = Duration.ofSeconds(90);
    private static final Duration ARRIVAL_LIMIT = Duration.ofSeconds(30);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(30);
    private static final String READY_LINE = "forwarding between ap0 and core0";

    private static final String CLUSTER_IP = "10.77.0.100";
    private static final String UNICAST = "02:bf:0a:4d:00:64";
    private static final String MULTICAST = "03:bf:0a:4d:00:64";
    private static final String IGMP = "01:00:5e:7f:00:64";
    private static final String MEMBER = "02:01:0a:4d:00:64";
    private static final String CLUSTER_FILTER = "ether dst " + UNICAST + " or ether dst " + MULTICAST + " or ether dst "
            + IGMP;
    private static final int MARKER_PORT = 7777;
    private static final int PER_FORM = 20;

    private static LabFixture fixture;
    private static Lab lab;
    private static Path work;
    private static Path repoRoot;

    @BeforeAll
    static void useLab() {
        lab = fixture.lab();
        work = fixture.dir();
        repoRoot = LabFixture.repoRoot();
    }

    // ---- the tests ----------------------------------------------------------------------------

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void coreSideFramesToAnAnnouncedClusterNeverReachTheApSideWhileApSideFramesStillReachIt() throws Exception {
        try (NlbBridge bridge = NlbBridge.start("contain", "ports: [ap0, core0]\nnlb: {mode: contain}\n")) {
            try (TextCapture ap = TextCapture.start(Role.AP, "contain-ap", CLUSTER_FILTER + " or udp dst port "
                    + MARKER_PORT)) {
                List<byte[]> frames = new ArrayList<>();
                frames.add(FrameBuilder.ethernet().src(MEMBER).nlbGratuitousArp(CLUSTER_IP).build());
                frames.addAll(coreSideClusterFrames());
                frames.add(marker(Role.CORE, Role.AP));
                send(Role.CORE, frames);

                ap.awaitCount(" > " + lab.mac(Role.AP) + ",", 1, ARRIVAL_LIMIT);
                assertEquals(0, ap.count(" > " + UNICAST + ","), ap.text());
                assertEquals(0, ap.count(" > " + MULTICAST + ","), ap.text());
                assertEquals(0, ap.count(" > " + IGMP + ","), ap.text());
            }
            try (TextCapture core = TextCapture.start(Role.CORE, "contain-core", CLUSTER_FILTER)) {
                send(Role.AP, apSideClusterFrames());
                core.awaitCount(" > " + UNICAST + ",", 5, ARRIVAL_LIMIT);
                core.awaitCount(" > " + MULTICAST + ",", 5, ARRIVAL_LIMIT);
            }
            String summary = bridge.stop();
            Matcher line = Pattern.compile("quietbridge: nlb cluster 10\\.77\\.0\\.100 mac 02:bf:0a:4d:00:64 ports core0"
                    + " contained=(\\d+) forwarded=(\\d+) flooded_unknown=(\\d+) moves=(\\d+)").matcher(summary);
            assertTrue(line.find(), "no line for the cluster in the summary:\n" + summary);
            assertEquals(3 * PER_FORM, Long.parseLong(line.group(1)), "contained");
            assertEquals(10, Long.parseLong(line.group(2)), "forwarded");
            assertEquals(0, Long.parseLong(line.group(3)), "flooded_unknown");
            assertEquals(0, Long.parseLong(line.group(4)), "moves");
            assertTrue(summary.contains("quietbridge: nlb mode=contain clusters=1 located=1"), summary);
            Matcher core0 = Pattern.compile("quietbridge: port core0 .* drop_nlb_contained=(\\d+) ").matcher(summary);
            assertTrue(core0.find(), summary);
            assertEquals(3 * PER_FORM, Long.parseLong(core0.group(1)), "drop_nlb_contained on core0");
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void withNlbOffTheClusterFloodReachesTheApSideAgain() throws Exception {
        try (NlbBridge bridge = NlbBridge.start("off", "ports: [ap0, core0]\nnlb: {mode: off}\n");
                TextCapture ap = TextCapture.start(Role.AP, "off-ap", CLUSTER_FILTER + " or udp dst port "
                        + MARKER_PORT)) {
            List<byte[]> frames = new ArrayList<>();
            frames.add(FrameBuilder.ethernet().src(MEMBER).nlbGratuitousArp(CLUSTER_IP).build());
            frames.addAll(coreSideClusterFrames());
            frames.add(marker(Role.CORE, Role.AP));
            send(Role.CORE, frames);

            ap.awaitCount(" > " + lab.mac(Role.AP) + ",", 1, ARRIVAL_LIMIT);
            ap.awaitCount(" > " + UNICAST + ",", PER_FORM, ARRIVAL_LIMIT);
            ap.awaitCount(" > " + MULTICAST + ",", PER_FORM, ARRIVAL_LIMIT);
            ap.awaitCount(" > " + IGMP + ",", PER_FORM, ARRIVAL_LIMIT);
            String summary = bridge.stop();
            assertTrue(!summary.contains("quietbridge: nlb "), "no NLB lines when containment is off:\n" + summary);
        }
    }

    /** No ARP at all: the cluster is first seen as a destination, then located by a member's reply. */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aClusterFirstFloodedWhileUnknownIsContainedOnceAMemberAnswersFromItsIp() throws Exception {
        String cluster = "10.77.0.101";
        String clusterMac = "02:bf:0a:4d:00:65";
        try (NlbBridge bridge = NlbBridge.start("reply", "ports: [ap0, core0]\nnlb: {mode: contain, aging: 600}\n");
                TextCapture ap = TextCapture.start(Role.AP, "reply-ap", "ether dst " + clusterMac + " or udp dst port "
                        + MARKER_PORT)) {
            byte[] toCluster = FrameBuilder.ethernet().src(lab.mac(Role.CORE)).dst(clusterMac)
                    .udp(lab.ipv4(Role.CORE), cluster, 40000, 5001).payload(18).build();
            send(Role.CORE, List.of(toCluster, marker(Role.CORE, Role.AP)));
            ap.awaitCount(" > " + clusterMac + ",", 1, ARRIVAL_LIMIT); // unknown: flooded as before

            // A member answers a client from the cluster IP, with the member's own MAC.
            byte[] reply = FrameBuilder.ethernet().src("02:01:0a:4d:00:65").dst(lab.mac(Role.AP))
                    .udp(cluster, lab.ipv4(Role.AP), 5001, MARKER_PORT).payload(18).build();
            List<byte[]> frames = new ArrayList<>(List.of(reply));
            for (int i = 0; i < PER_FORM; i++) {
                frames.add(toCluster);
            }
            frames.add(marker(Role.CORE, Role.AP));
            send(Role.CORE, frames);
            ap.awaitCount(" > " + lab.mac(Role.AP) + ",", 3, ARRIVAL_LIMIT); // two markers and the reply
            assertEquals(1, ap.count(" > " + clusterMac + ","), "only the frame sent while unknown crossed:\n"
                    + ap.text());

            String summary = bridge.stop();
            assertTrue(Pattern.compile("quietbridge: nlb cluster 10\\.77\\.0\\.101 mac 02:bf:0a:4d:00:65 ports core0"
                    + " contained=" + PER_FORM + " forwarded=0 flooded_unknown=1 moves=0").matcher(summary).find(),
                    summary);
        }
    }

    // ---- frames -------------------------------------------------------------------------------

    private static List<byte[]> coreSideClusterFrames() {
        List<byte[]> frames = new ArrayList<>();
        String[] forms = {UNICAST, MULTICAST, IGMP};
        for (int f = 0; f < forms.length; f++) {
            for (int i = 0; i < PER_FORM; i++) {
                frames.add(FrameBuilder.ethernet().src(lab.mac(Role.CORE)).dst(forms[f])
                        .udp(lab.ipv4(Role.CORE), CLUSTER_IP, 40000 + i, 5001 + f).payload(18).build());
            }
        }
        return frames;
    }

    private static List<byte[]> apSideClusterFrames() {
        List<byte[]> frames = new ArrayList<>();
        for (String dst : List.of(UNICAST, MULTICAST)) {
            for (int i = 0; i < 5; i++) {
                frames.add(FrameBuilder.ethernet().src(lab.mac(Role.AP)).dst(dst)
                        .udp(lab.ipv4(Role.AP), CLUSTER_IP, 41000 + i, 445).payload(18).build());
            }
        }
        return frames;
    }

    /** A unicast frame from one host to the other that any bridge must carry. */
    private static byte[] marker(Role from, Role to) {
        return FrameBuilder.ethernet().src(lab.mac(from)).dst(lab.mac(to))
                .udp(lab.ipv4(from), lab.ipv4(to), 40999, MARKER_PORT).payload(18).build();
    }

    // ---- helpers (this class's own: a raw sender, a text capture, the bridge process) ---------

    private static final String SEND_SCRIPT = """
            import socket, sys
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            s.bind((sys.argv[1], 0))
            n = 0
            for line in open(sys.argv[2]):
                line = line.strip()
                if line:
                    frame = bytes.fromhex(line)
                    if s.send(frame) != len(frame):
                        sys.exit("short send")
                    n += 1
            print(n)
            """;

    private static int sendBatches;

    /** Sends {@code frames} in order out of {@code host}'s eth0 through a raw AF_PACKET socket. */
    private static void send(Role host, List<byte[]> frames) {
        Path script = write("send-frames.py", SEND_SCRIPT);
        HexFormat hex = HexFormat.of();
        Path batch = write("frames-" + ++sendBatches + ".hex",
                frames.stream().map(hex::formatHex).collect(Collectors.joining("\n", "", "\n")));
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        String sent = lab.exec(host, Duration.ofSeconds(60), python, script.toString(), Lab.HOST_DEVICE,
                batch.toString()).orThrow().stdout().strip();
        assertEquals(Integer.toString(frames.size()), sent, "frames sent from " + host);
    }

    private static Path write(String name, String content) {
        Path file = work.resolve(name);
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static Path freshLog(String name) {
        Path log = work.resolve(name + ".log");
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return log;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls {@code condition} until it holds or {@code limit} passes; the message says what was awaited. */
    private static void awaitCondition(Duration limit, Supplier<String> what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("waited " + limit.toSeconds() + " s for " + what.get());
            }
            try {
                Thread.sleep(20); // the poll interval, not a synchronization
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + what.get());
            }
        }
    }

    private static void stopProcess(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy(); // SIGTERM
        try {
            if (!process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** tcpdump's text lines ({@code -e -n}) of what a host's eth0 receives. */
    private static final class TextCapture implements AutoCloseable {
        private final Role host;
        private final Process tcpdump;
        private final Path log;

        private TextCapture(Role host, Process tcpdump, Path log) {
            this.host = host;
            this.tcpdump = tcpdump;
            this.log = log;
        }

        static TextCapture start(Role host, String name, String filter) {
            Path log = freshLog(name);
            // -B: see Capture.BUFFER_KIB (the hosts' offloads make libpcap's default ring overflow).
            Process p = lab.start(host, log, "tcpdump", "-i", Lab.HOST_DEVICE, "-Q", "in", "-e", "-n", "-l",
                    "--immediate-mode", "-B", Capture.BUFFER_KIB, filter);
            TextCapture capture = new TextCapture(host, p, log);
            awaitCondition(Duration.ofSeconds(30), () -> "tcpdump on " + host + " to listen: " + capture.text(), () -> {
                if (!p.isAlive()) {
                    fail("tcpdump on " + host + " exited: " + capture.text());
                }
                return capture.text().contains("listening on");
            });
            return capture;
        }

        String text() {
            return read(log);
        }

        /** Captured lines that contain {@code fragment} (for example " > 02:bf:0a:4d:00:64,"). */
        long count(String fragment) {
            return text().lines().filter(l -> l.contains(fragment)).count();
        }

        void awaitCount(String fragment, long n, Duration limit) {
            awaitCondition(limit, () -> n + " frames with '" + fragment + "' on " + host + "'s eth0, have "
                    + count(fragment) + ":\n" + text(), () -> count(fragment) >= n);
        }

        @Override
        public void close() {
            stopProcess(tcpdump);
        }
    }

    /** {@code bin/quietbridge run -c FILE} in the bridge namespace. */
    private static final class NlbBridge implements AutoCloseable {
        private final Process process;
        private final Path log;

        private NlbBridge(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static NlbBridge start(String name, String yaml) {
            Path config = write(name + ".yaml", yaml);
            Path log = freshLog(name + "-bridge");
            Process p = lab.start(Role.BR, log, repoRoot.resolve("bin/quietbridge").toString(), "run", "-c",
                    config.toString());
            NlbBridge bridge = new NlbBridge(p, log);
            awaitCondition(READY_LIMIT, () -> "the bridge's line '" + READY_LINE + "':\n" + read(log), () -> {
                if (!p.isAlive()) {
                    fail("the bridge exited with " + p.exitValue() + " before it was ready:\n" + read(log));
                }
                return read(log).contains(READY_LINE);
            });
            return bridge;
        }

        /** SIGTERM; returns what it printed, the counter summary included, after asserting exit 0. */
        String stop() {
            stopProcess(process);
            String output = read(log);
            assertEquals(0, process.exitValue(), "the bridge's exit status after SIGTERM:\n" + output);
            return output;
        }

        @Override
        public void close() {
            stopProcess(process);
        }
    }
}
