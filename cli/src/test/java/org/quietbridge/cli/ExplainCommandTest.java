package org.quietbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.quietbridge.frame.testing.FrameBuilder;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExplainCommandTest {
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private static Path defaultRules() {
        return CommandRun.repositoryRoot().resolve("examples/netbios-default.yaml");
    }

    private Path config(String yaml) throws IOException {
        return Files.writeString(dir.resolve("rules.yaml"), yaml);
    }

    private static void assertLines(CommandRun run, String... expected) {
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        assertEquals("", run.err());
        List<String> lines = run.outLines();
        for (String line : expected) {
            assertTrue(lines.contains(line), "missing line [" + line + "] in:" + NL + run.out());
        }
    }

    @Test
    void reportsOitFiguresForACaptureWithKnownCounts() throws IOException {
        Path capture = CampusCapture.writePcap(dir.resolve("campus.pcap"), CampusCapture.frames());
        CommandRun run = CommandRun.of("explain", "-c", defaultRules().toString(), capture.toString());
        assertLines(run,
                "capture  " + capture + ": 140 frames",
                "rules    " + defaultRules() + ": 2 rules, mode enforce, subnets none",
                "port     none given (no rule names a port)",
                "  #  rule                  action   hits  % of frames",
                "  1  netbios-broadcast-l2  drop       23        16.4%",
                "  2  netbios-broadcast-l3  drop        0         0.0%",
                "     (no rule matched)     forward   117        83.6%",
                "broadcast/multicast            100 of 140 frames (71.4%): 58 broadcast, 42 multicast",
                "  removed by the rules          23 of 100 (23.0%)",
                "NetBIOS (IPv4 UDP 137/138)      23 of 100 broadcast/multicast (23.0%)",
                "  removed by the rules          23 of 23 (100.0%)",
                "ARP                             25 of 100 broadcast/multicast (25.0%)",
                "  removed by the rules           0 of 25 (0.0%)",
                "removed + all ARP               48 of 100 broadcast/multicast (48.0%)",
                "NetBIOS to a unicast MAC         5 of 140 frames (3.6%)",
                "  removed by the rules           0 of 5 (0.0%)",
                "all frames removed              23 of 140 frames (16.4%)",
                "malformed frames                 0 of 140 frames (0.0%)");
        assertTrue(run.out().contains("note: Princeton OIT measured"), run.out());
        assertTrue(!run.out().contains("monitor"), run.out());
    }

    /**
     * The core side of {@link CampusCapture}, 150 ms after its last frame: the gateway asks ten times for
     * the client (whose ARP made it known), a NetBIOS datagram broadcast comes in two fragments, and a host
     * there sends four mDNS announcements.
     */
    private Path coreCapture() throws IOException {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            frames.add(FrameBuilder.ethernet().src("02:00:00:00:00:01").broadcast()
                    .arp(1, 0x0200_0000_0001L, "10.8.0.1", 0, "10.8.1.10").padTo(60).build());
        }
        // A NetBIOS datagram to the subnet's broadcast address, in two fragments: the rule drops both.
        var datagram = FrameBuilder.ethernet().src("02:00:00:00:00:03").broadcast()
                .udp("10.8.0.3", "255.255.255.255", 138, 138).id(4242);
        frames.add(datagram.firstFragment().payload(1000).build());
        frames.add(FrameBuilder.ethernet().src("02:00:00:00:00:03").broadcast()
                .udp("10.8.0.3", "255.255.255.255", 138, 138).id(4242).laterFragment(125, false).payload(400).build());
        for (int i = 0; i < 4; i++) {
            frames.add(FrameBuilder.ethernet().src("02:00:00:00:00:02").dst("01:00:5e:00:00:fb")
                    .udp("10.8.0.2", "224.0.0.251", 5353, 5353).payload(80).build());
        }
        Path file = dir.resolve("core.pcap");
        try (org.quietbridge.capture.PcapWriter w = org.quietbridge.capture.PcapWriter.create(file)) {
            long t = 1_700_000_000_000_000_000L + 300_000_000L;
            for (byte[] f : frames) {
                w.write(f, t);
                t += 1_000_000;
            }
        }
        return file;
    }

    @Test
    void replaysAWholeConfigurationThroughTheDataPlane() throws IOException {
        Path bridge = Files.writeString(dir.resolve("bridge.yaml"), """
                ports: [ap0, core0]
                arp: {mode: unicast}
                storm_control:
                  - {port: ap0, class: multicast, pps: 10}
                """);
        Path ap = CampusCapture.writePcap(dir.resolve("campus.pcap"), CampusCapture.frames());
        CommandRun run = CommandRun.of("explain", "-c", bridge.toString(), "ap0=" + ap, "core0=" + coreCapture());
        assertLines(run,
                "captures ap0 <- " + ap + ", core0 <- " + dir.resolve("core.pcap"),
                "replays  2 rules with later fragments, arp unicast, storm control (1 limit); MAC learning",
                "  rules                                                  25",
                "    netbios-broadcast-l2                                 25",
                "    of them, later fragments of a dropped datagram        1",
                "  storm control                                          32",
                "  ARP requests sent as a unicast to their owner          10",
                "ap0                 140           16                4     75.0%",
                "core0                16          100               45     55.0%");
        // The 42 multicast frames met a bucket of 10 a second, 1 ms apart: the first 10 crossed.

        CommandRun json = CommandRun.of("explain", "-c", bridge.toString(), "--json", "ap0=" + ap, "core0=" + coreCapture());
        assertTrue(json.out().contains("\"removed\":{\"rules\":25,\"nlb\":0,\"arp\":0,\"storm\":32,"), json.out());
        assertTrue(json.out().contains("{\"port\":\"core0\",\"frames_in\":16,\"group_in\":16,"
                + "\"group_toward_without\":100,\"group_toward_with\":45}"), json.out());
    }

    @Test
    void aWholeConfigurationTakesOneCaptureForAPortAndRefusesWhatItCannotPlace() throws IOException {
        Path bridge = Files.writeString(dir.resolve("bridge.yaml"), "ports: [ap0, core0]\n");
        Path ap = CampusCapture.writePcap(dir.resolve("campus.pcap"), CampusCapture.frames());
        assertLines(CommandRun.of("explain", "-c", bridge.toString(), ap.toString()),
                "captures ap0 <- " + ap,
                "core0                 0          100               77     23.0%");
        CommandRun unknown = CommandRun.of("explain", "-c", bridge.toString(), "--port", "eth9", ap.toString());
        assertEquals(ExitCode.BAD_INPUT, unknown.exitCode());
        assertEquals("quietbridge: unknown port 'eth9'; the bridge's ports are ap0, core0", unknown.err().strip());
        CommandRun unnamed = CommandRun.of("explain", "-c", bridge.toString(), ap.toString(), ap.toString());
        assertEquals(ExitCode.BAD_INPUT, unnamed.exitCode());
        assertTrue(unnamed.err().contains("name each one's port: PORT=FILE"), unnamed.err());
        CommandRun ruleFile = CommandRun.of("explain", "-c", defaultRules().toString(), "ap0=" + ap, "core0=" + ap);
        assertEquals(ExitCode.BAD_INPUT, ruleFile.exitCode());
        assertTrue(ruleFile.err().contains("is a rule file: give one capture"), ruleFile.err());
    }

    @Test
    void readsPcapngWithTheSameFigures() throws IOException {
        Path capture = CampusCapture.writePcapng(dir.resolve("campus.pcapng"), CampusCapture.frames());
        CommandRun run = CommandRun.of("explain", "-c", defaultRules().toString(), capture.toString());
        assertLines(run,
                "capture  " + capture + ": 140 frames",
                "NetBIOS (IPv4 UDP 137/138)      23 of 100 broadcast/multicast (23.0%)",
                "  removed by the rules          23 of 23 (100.0%)",
                "ARP                             25 of 100 broadcast/multicast (25.0%)",
                "all frames removed              23 of 140 frames (16.4%)");
    }

    @Test
    void reportsWouldDropFiguresWithANoteInMonitorMode() throws IOException {
        Path rules = config("""
                mode: monitor
                rules:
                  - name: netbios
                    match: {ip_protocol: udp, dst_port: [137, 138], l2_dst: [broadcast, multicast]}
                    action: drop
                  - name: count-arp
                    match: {ethertype: arp}
                    action: count
                """);
        Path capture = CampusCapture.writePcap(dir.resolve("campus.pcap"), CampusCapture.frames());
        CommandRun run = CommandRun.of("explain", "-c", rules.toString(), capture.toString());
        assertLines(run,
                "  #  rule               action      hits  % of frames",
                "  1  netbios            would drop    23        16.4%",
                "  2  count-arp          count         30        21.4%",
                "     (no rule matched)  forward       87        62.1%",
                "  would be removed              23 of 100 (23.0%)",
                "would be removed + all ARP      48 of 100 broadcast/multicast (48.0%)",
                "all frames would be removed     23 of 140 frames (16.4%)",
                "note: mode monitor forwards every frame; 'would be removed' is what its drop rules");
    }

    @Test
    void appliesIngressRulesOnlyForTheGivenPort() throws IOException {
        Path rules = config("""
                rules:
                  - name: wireless-netbios
                    match: {ingress: wlan, ip_protocol: udp, dst_port: [137, 138], l2_dst: [broadcast, multicast]}
                    action: drop
                """);
        Path capture = CampusCapture.writePcap(dir.resolve("campus.pcap"), CampusCapture.frames());

        CommandRun none = CommandRun.of("explain", "-c", rules.toString(), capture.toString());
        assertLines(none,
                "port     none given: rules with 'ingress' (wlan) never match; use --port NAME",
                "all frames removed               0 of 140 frames (0.0%)");

        CommandRun wlan = CommandRun.of("explain", "-c", rules.toString(), "--port", "wlan", capture.toString());
        assertLines(wlan, "port     wlan", "all frames removed              23 of 140 frames (16.4%)");

        CommandRun core = CommandRun.of("explain", "-c", rules.toString(), "-p", "core", capture.toString());
        assertLines(core,
                "port     core (no rule names this port)",
                "all frames removed               0 of 140 frames (0.0%)");
    }

    @Test
    void countsMalformedFramesByReasonAndBroadcastsInsideUnicastFrames() throws IOException {
        List<byte[]> frames = new ArrayList<>();
        frames.add(new byte[10]);
        frames.add(new byte[13]);
        frames.add(FrameBuilder.ethernet().broadcast().udp("10.8.1.1", "255.255.255.255", 137, 137)
                .totalLength(2000).build());
        // A confused client: subnet broadcast address inside a unicast frame.
        frames.add(FrameBuilder.ethernet().dst("00:1b:21:00:00:0a").udp("10.8.1.1", "10.8.255.255", 138, 138)
                .payload(40).build());
        Path capture = CampusCapture.writePcap(dir.resolve("odd.pcap"), frames);
        CommandRun run = CommandRun.of("explain", "-c", defaultRules().toString(), capture.toString());
        assertLines(run,
                "malformed frames                 3 of 4 frames (75.0%)",
                "  runt                           2",
                "  ipv4_bad_total_length          1",
                "NetBIOS to a unicast MAC         1 of 4 frames (25.0%)",
                "  removed by the rules           1 of 1 (100.0%): an IPv4 broadcast or multicast inside a unicast frame",
                "  2  netbios-broadcast-l3  drop        1        25.0%");
    }

    @Test
    void notesFramesCutByTheSnapLength() throws IOException {
        byte[] big = FrameBuilder.ethernet().broadcast().udp("10.8.1.1", "255.255.255.255", 138, 138)
                .payload(400).build();
        Path capture = dir.resolve("cut.pcap");
        try (var writer = new org.quietbridge.capture.PcapWriter(Files.newOutputStream(capture),
                java.nio.ByteOrder.LITTLE_ENDIAN, false, 96)) {
            writer.write(big, 0);
        }
        CommandRun run = CommandRun.of("explain", "-c", defaultRules().toString(), capture.toString());
        assertLines(run,
                "cut by the snap length           1 (decoded as captured: a cut header counts as malformed)",
                "  ipv4_bad_total_length          1");
    }

    @Test
    void printsJsonWhenAsked() throws IOException {
        Path capture = CampusCapture.writePcap(dir.resolve("campus.pcap"), CampusCapture.frames());
        CommandRun run = CommandRun.of("explain", "--json", "-c", defaultRules().toString(), capture.toString());
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        assertEquals(1, run.outLines().size(), run.out());
        String json = run.out().strip();
        assertTrue(json.contains("\"frames\":140,"), json);
        assertTrue(json.contains("{\"name\":\"netbios-broadcast-l2\",\"action\":\"drop\",\"effective_action\":\"drop\","
                + "\"hits\":23}"), json);
        assertTrue(json.contains("\"broadcast_multicast\":{\"frames\":100,\"broadcast\":58,\"multicast\":42,"
                + "\"removed\":23}"), json);
        assertTrue(json.contains("\"netbios\":{\"broadcast_multicast\":23,\"broadcast_multicast_removed\":23,"
                + "\"unicast\":5,\"unicast_removed\":0}"), json);
        assertTrue(json.contains("\"arp\":{\"broadcast_multicast\":25,\"broadcast_multicast_removed\":0}"), json);
    }

    @Test
    void rejectsACorruptCaptureInOneLineWithExitTwo() throws IOException {
        Path good = CampusCapture.writePcap(dir.resolve("campus.pcap"), CampusCapture.frames());
        byte[] bytes = Files.readAllBytes(good);
        Path capture = Files.write(dir.resolve("cut-short.pcap"), Arrays.copyOf(bytes, bytes.length - 7));
        CommandRun run = CommandRun.of("explain", "-c", defaultRules().toString(), capture.toString());
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertEquals("", run.out(), "no half report");
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().matches("quietbridge: \\Q" + capture + "\\E: byte \\d+: truncated frame data: .*\\R"),
                run.err());
    }

    @Test
    void rejectsANonCaptureAndAMissingCapture() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a capture at all");
        CommandRun run = CommandRun.of("explain", "-c", defaultRules().toString(), text.toString());
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertEquals("quietbridge: " + text + ": byte 0: not a pcap or pcapng capture (magic 0x6e6f7420)" + NL,
                run.err());

        Path missing = dir.resolve("missing.pcap");
        run = CommandRun.of("explain", "-c", defaultRules().toString(), missing.toString());
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertEquals("quietbridge: cannot read " + missing + ": No such file" + NL, run.err());
    }

    @Test
    void reportsAConfigErrorBeforeReadingTheCapture() throws IOException {
        Path rules = config("rules:\n  - name: x\n    match: {dst_port: 99999}\n    action: drop\n");
        Path capture = CampusCapture.writePcap(dir.resolve("campus.pcap"), CampusCapture.frames());
        CommandRun run = CommandRun.of("explain", "-c", rules.toString(), capture.toString());
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().matches("\\Q" + rules + "\\E:3:\\d+: .*\\R"), run.err());
    }
}
