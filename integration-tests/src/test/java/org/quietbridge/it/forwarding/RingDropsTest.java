package org.quietbridge.it.forwarding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.api.PrometheusText;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.BridgeSummary;
import org.quietbridge.it.HostCounters;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.ManagementApi;
import org.quietbridge.lab.Role;

/**
 * Frames the kernel drops because a port's RX ring is full are counted: the data plane stands still
 * (SIGSTOP) while the AP host sends more frames than the ring holds, and afterwards the bridge's
 * count of what it received plus what the kernel dropped is exactly what the host sent.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@LabTest("ringdrop")
class RingDropsTest {
    /** More than the 1024 slots of the test's RX ring. */
    private static final int FRAMES = 6000;
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static LabFixture fixture;

    @BeforeAll
    static void buildQuietLab() {
        // No IPv6 chatter (router solicitations, MLD): the AP host sends the test's frames only.
        for (Role host : List.of(Role.AP, Role.CORE)) {
            fixture.run(host, "sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=1");
        }
    }

    /** ap0's frames received and dropped by the kernel, from /metrics, into {@code counters}. */
    private static void readCounters(ManagementApi api, long[] counters) {
        Map<String, PrometheusText.Family> metrics = api.metrics();
        counters[0] = (long) ManagementApi.sample(metrics, "quietbridge_port_rx_frames_total", "port", "ap0");
        counters[1] = (long) ManagementApi.sample(metrics, "quietbridge_port_dropped_frames_total", "port", "ap0",
                "reason", "rx_ring_full");
    }

    @Test
    void theKernelsRingDropsAreCountedAsWhatWasSentMinusWhatArrived() {
        BridgeProcess bridge = fixture.startBridge("bridge", "ports: [ap0, core0]\nring: {frames: 1024}\n");
        // What the bridge counted before the test's frames, and what the AP host had sent by then: read
        // until the host sent nothing while the bridge's counters were read (its IPv6 going off still
        // sends MLD reports for a few seconds).
        ManagementApi api = new ManagementApi(fixture);
        long[] seen = new long[2];
        HostCounters[] before = new HostCounters[1];
        Await.until(WAIT, "a moment when the AP host sends nothing", () -> {
            HostCounters first = HostCounters.read(fixture, Role.AP);
            readCounters(api, seen);
            before[0] = HostCounters.read(fixture, Role.AP);
            return first.txPackets() == before[0].txPackets();
        });
        long receivedBefore = seen[0];
        long droppedBefore = seen[1];
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < FRAMES; i++) {
            frames.add(FrameBuilder.ethernet().src(fixture.lab().mac(Role.AP)).dst(fixture.lab().mac(Role.CORE))
                    .udp(fixture.lab().ipv4(Role.AP), fixture.lab().ipv4(Role.CORE), 4000, 9).payload(18).build());
        }
        bridge.signal("STOP");
        try {
            fixture.sender().send(Role.AP, frames);
        } finally {
            bridge.signal("CONT");
        }
        // The data plane takes what the ring held; the kernel's counters are read once a second. Until then,
        // and while a late MLD report of the AP's crosses, the sums may differ; they must come to agree.
        long[] sent = new long[1];
        Await.until(WAIT, () -> "received " + (seen[0] - receivedBefore) + " + dropped " + (seen[1] - droppedBefore)
                + " to equal the " + sent[0] + " frames the AP host sent", () -> {
                    readCounters(api, seen);
                    sent[0] = HostCounters.read(fixture, Role.AP).minus(before[0]).txPackets();
                    return seen[0] - receivedBefore + seen[1] - droppedBefore == sent[0] && sent[0] >= FRAMES;
                });
        long received = seen[0] - receivedBefore;
        long dropped = seen[1] - droppedBefore;
        System.out.printf("ring drops: sent %d, received %d, dropped by the kernel %d%n", sent[0], received, dropped);
        assertTrue(dropped >= FRAMES - 1024, "a 1024-slot ring overflowed: " + dropped);
        assertEquals(sent[0] - received, dropped, "every frame that did not arrive is counted");

        BridgeSummary summary = bridge.stop().assertClean().summary();
        assertTrue(summary.counter("ap0", "drop_rx_ring_full") >= dropped + droppedBefore,
                "the stop summary shows the drops too: " + summary.counter("ap0", "drop_rx_ring_full"));
    }
}
