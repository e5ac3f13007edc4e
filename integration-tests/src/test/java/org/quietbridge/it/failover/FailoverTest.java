package org.quietbridge.it.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.Capture;
import org.quietbridge.it.Direction;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.Marker;
import org.quietbridge.it.ProbeRules;
import org.quietbridge.it.TrafficStream;
import org.quietbridge.it.Wire;
import org.quietbridge.lab.Role;

/**
 * Fail-open to the kernel (README, "Deploying": "when quietbridge stops forwarding"): a numbered stream
 * crosses from the AP host to the core host, with a NetBIOS broadcast every 20 frames, while the bridge
 * is killed and restarted, or frozen and thawed. The wire is never cut for long, the kernel's stand-in
 * still drops the NetBIOS broadcasts, and no frame ever arrives twice: not when the kernel takes over,
 * not when quietbridge takes the ports back.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@LabTest("failover")
class FailoverTest {
    private static final int STREAM_FPS = 2000;
    private static final int NETBIOS_EVERY = 20;
    /** The bound for "the kernel forwards"; the configured timeout is 200 ms. */
    private static final Duration GAP_LIMIT = Duration.ofSeconds(1);
    private static final Direction AP_TO_CORE = Direction.AP_TO_CORE;
    private static final String CONFIG = "ports: [ap0, core0]\nfailover: {mode: kernel, timeout: 200}\n";

    private static LabFixture fixture;
    private static Wire wire;

    @BeforeAll
    static void buildLab() {
        wire = Wire.open(fixture, TrafficStream.NOT_STREAM);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code frames} more numbered frames reached the core host than had when called. */
    private static void awaitMoreFrames(Capture stream, long frames, String what) {
        long before = stream.frames().size();
        Await.until(Wire.CROSS_LIMIT, () -> frames + " more numbered frames on the core host " + what,
                () -> stream.frames().size() >= before + frames);
    }

    /**
     * Checks the stream: no number twice, the longest silence under {@link #GAP_LIMIT}, and no NetBIOS
     * broadcast of the stream on the core host; returns the arrivals.
     */
    private static TrafficStream.Arrivals assertHandedOverCleanly(String what, Capture stream, TrafficStream.Sent sent,
            byte[] netbiosMarker) {
        Await.until(Wire.CROSS_LIMIT, "the capture to hold the last numbered frames",
                () -> TrafficStream.countNumbered(stream.pcap(), sent.numbered())[(int) sent.numbered() - 1] > 0);
        TrafficStream.Arrivals arrivals = TrafficStream.arrivals(stream.pcap(), sent.numbered());
        System.out.printf("failover (%s): %d numbered frames sent at %d/s, %d lost, %d duplicated,"
                + " longest gap %.1f ms (after frame %d)%n", what, sent.numbered(), STREAM_FPS, arrivals.lost(),
                arrivals.duplicated(), arrivals.gapNanos() / 1e6, arrivals.gapAfterNumber());
        assertEquals(0, arrivals.duplicated(), what + ": frames that arrived twice: "
                + TrafficStream.notExactlyOnce(arrivals.counts(), 20));
        assertTrue(arrivals.gapNanos() < GAP_LIMIT.toNanos(), what + ": the wire was cut for "
                + arrivals.gapNanos() / 1_000_000 + " ms");
        assertTrue(arrivals.lost() < STREAM_FPS * GAP_LIMIT.toSeconds(), what + ": " + arrivals.lost() + " lost");
        assertTrue(sent.extrasTotal() >= sent.numbered() / NETBIOS_EVERY - 1, "the stream sent its NetBIOS broadcasts");
        assertEquals(List.of(), wire.capture(Role.CORE).framesWith(netbiosMarker).stream().map(Capture::hex).toList(),
                what + ": NetBIOS broadcasts crossed");
        return arrivals;
    }

    @Test
    void killedTheKernelForwardsWithTheFilterAndARestartTakesThePortsBackWithoutDuplicates() {
        Capture stream = fixture.capture(Role.CORE, "kill-stream", TrafficStream.FILTER);
        BridgeProcess first = fixture.startBridge("kill-first", CONFIG);
        assertTrue(first.output().contains("failover: the kernel stands in for ap0, core0"), first.output());
        byte[] netbios = Marker.of("kill-netbios");
        TrafficStream traffic = TrafficStream.start(fixture, AP_TO_CORE, STREAM_FPS,
                List.of(ProbeRules.netbiosBroadcast(AP_TO_CORE, netbios)), NETBIOS_EVERY);
        awaitMoreFrames(stream, STREAM_FPS / 2, "through the first bridge");

        first.signal("KILL");
        awaitMoreFrames(stream, STREAM_FPS, "through the kernel, after kill -9");
        BridgeProcess second = fixture.startBridge("kill-second", CONFIG);
        awaitMoreFrames(stream, STREAM_FPS, "through the restarted bridge");
        TrafficStream.Sent sent = traffic.stop();

        assertHandedOverCleanly("kill -9, restart", stream, sent, netbios);
        BridgeProcess.Stopped stopped = second.stop().assertClean();
        assertTrue(stopped.summary().counter("core0", "tx_frames") >= STREAM_FPS,
                "the restarted bridge forwarded the stream itself:\n" + stopped.output());
        assertTrue(stopped.output().contains("the kernel forwards from now on (failover: kernel)"), stopped.output());
        byte[] marker = Marker.of("kill-after-stop");
        byte[] frame = Wire.experimental(AP_TO_CORE.srcMac(), AP_TO_CORE.dstMac(), marker);
        wire.sendAndSettle(Role.AP, List.of(frame));
        wire.assertCrossedOnceUnchanged("after a clean stop, through the kernel", marker, frame, Role.AP, Role.CORE);
    }

    @Test
    void frozenTheKernelForwardsAndThawedTheDataPlaneTakesBackWithoutDuplicates() {
        Capture stream = fixture.capture(Role.CORE, "stop-stream", TrafficStream.FILTER);
        BridgeProcess bridge = fixture.startBridge("stop", CONFIG);
        byte[] netbios = Marker.of("stop-netbios");
        TrafficStream traffic = TrafficStream.start(fixture, AP_TO_CORE, STREAM_FPS,
                List.of(ProbeRules.netbiosBroadcast(AP_TO_CORE, netbios)), NETBIOS_EVERY);
        awaitMoreFrames(stream, STREAM_FPS / 2, "through the bridge");

        bridge.signal("STOP");
        try {
            awaitMoreFrames(stream, STREAM_FPS, "through the kernel, while the bridge is stopped");
        } finally {
            bridge.signal("CONT");
        }
        Await.until(Wire.CROSS_LIMIT, () -> "the bridge's take-back line:\n" + bridge.output(),
                () -> bridge.output().contains("the data plane has taken the ports back"));
        awaitMoreFrames(stream, STREAM_FPS / 2, "through the thawed bridge");
        TrafficStream.Sent sent = traffic.stop();

        assertHandedOverCleanly("SIGSTOP, SIGCONT", stream, sent, netbios);
        BridgeProcess.Stopped stopped = bridge.stop().assertClean();
        assertTrue(stopped.summary().counter("ap0", "drop_forwarded_by_kernel") > 0,
                "the frames the kernel forwarded were in the ring, and were not sent again:\n" + stopped.output());
    }

    /**
     * {@code nft flush ruleset} (the first line of Debian's /etc/nftables.conf) deletes the stand-in's
     * table under a running bridge: the refused holds are noticed and the table is written again, and no
     * frame crosses twice meanwhile.
     */
    @Test
    void aStandInDeletedUnderARunningBridgeIsWrittenAgain() {
        try (BridgeProcess bridge = fixture.startBridge("flushed", CONFIG)) {
            fixture.run(Role.BR, "nft", "flush", "ruleset");
            Await.until(Wire.CROSS_LIMIT, () -> "the bridge's line that it wrote the stand-in again:\n"
                    + bridge.output(), () -> bridge.output().contains("; the stand-in written again"));
            String table = fixture.run(Role.BR, "nft", "list", "table", "netdev", "quietbridge_ap0_core0").stdout();
            assertTrue(table.contains("meta iiftype @alive drop") && table.contains("elements = { ether timeout"),
                    "the table is back, its gate held:\n" + table);
            byte[] marker = Marker.of("flushed-after");
            byte[] frame = Wire.experimental(AP_TO_CORE.srcMac(), AP_TO_CORE.dstMac(), marker);
            wire.sendAndSettle(Role.AP, List.of(frame));
            wire.assertCrossedOnceUnchanged("after the stand-in was written again", marker, frame, Role.AP, Role.CORE);
            bridge.stop().assertClean();
        }
    }

    @Test
    void failoverOffCutsTheWireWhenTheBridgeDies() {
        BridgeProcess bridge = fixture.startBridge("off", "ports: [ap0, core0]\nfailover: off\n");
        byte[] before = Marker.of("off-before");
        byte[] frame = Wire.experimental(AP_TO_CORE.srcMac(), AP_TO_CORE.dstMac(), before);
        wire.sendAndSettle(Role.AP, List.of(frame));
        wire.assertCrossedOnceUnchanged("with the bridge running", before, frame, Role.AP, Role.CORE);

        bridge.signal("KILL");
        Await.until(Wire.CROSS_LIMIT, "the killed bridge to exit", () -> !bridge.isAlive());
        sleep(Duration.ofMillis(500));
        byte[] after = Marker.of("off-after");
        byte[] dead = Wire.experimental(AP_TO_CORE.srcMac(), AP_TO_CORE.dstMac(), after);
        wire.send(Role.AP, List.of(dead));
        sleep(Duration.ofSeconds(1));
        wire.assertNeverArrived("failover: off, bridge killed", after, dead, Role.CORE);
    }
}
