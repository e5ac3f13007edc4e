package org.quietbridge.it.forwarding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.IperfServer;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.lab.Role;

/**
 * Real TCP through the bridge with the hosts' default offloads: an iperf3 transfer in each direction
 * completes, carried as GSO super-frames (docs/ARCHITECTURE.md, "Offloads"). The rate is printed, not
 * held to a target: this machine is shared and noisy. The floor only catches a bridge that crawls (one
 * syscall per frame, a retire timer, a lost-frame storm). {@link TcpWithoutHostOffloadsTest} runs the
 * same with the offloads off, as frames are on a physical wire.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@LabTest("tcp")
class TcpThroughputTest {
    private static LabFixture fixture;
    private static BridgeProcess bridge;
    private static IperfServer server;

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void startBridgeAndServer() {
        bridge = fixture.startBridge("bridge", "ports: [ap0, core0]\n");
        server = fixture.own(IperfServer.start(fixture, Role.CORE, fixture.lab().ipv4(Role.CORE)));
    }

    @Test
    @Order(1)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void iperf3FromApToCoreCompletes() {
        assertAboveTheFloor("ap -> core", server.runClient(Role.AP, "-t", "5"));
    }

    @Test
    @Order(2)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void iperf3FromCoreToApCompletes() {
        assertAboveTheFloor("core -> ap", server.runClient(Role.AP, "-t", "3", "-R"));
    }

    /**
     * Runs last: stops the bridge. The transfer crossed as super-frames, and nothing of it was too big,
     * cut, or left with an unfinished checksum.
     */
    @Test
    @Order(3)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void exitSummaryShowsSuperFramesAndNoOversizedTruncatedOrUnfixableFrames() {
        BridgeProcess.Stopped stopped = bridge.stop().assertClean();

        for (String port : List.of("ap0", "core0")) {
            assertTrue(stopped.summary().counter(port, "rx_super_frames") > 100, port + " got super-frames\n"
                    + stopped.output());
            for (String counter : List.of("drop_too_big", "drop_truncated", "drop_tx_ring_full", "checksum_unfixable",
                    "malformed")) {
                assertEquals(0, stopped.summary().counter(port, counter), port + " " + counter + "\n" + stopped.output());
            }
        }
    }

    /**
     * SIGTERM in the middle of a transfer: the data plane is busy, and the bridge still stops
     * within the limit, exits 0 and prints its summary. Runs after the default bridge stopped.
     */
    @Test
    @Order(4)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void stopsCleanlyInTheMiddleOfATransfer() {
        bridge.stop();
        try (BridgeProcess busy = fixture.startBridge("busy", "ports: [ap0, core0]\n")) {
            Path clientLog = fixture.freshPath("iperf3-busy-client", "log");
            Process client = fixture.lab().start(Role.AP, clientLog, "iperf3", "-c", fixture.lab().ipv4(Role.CORE),
                    "-t", "30", "-i", "1", "--forceflush", "-f", "m");
            Await.until(Duration.ofSeconds(30), () -> "the transfer to run; iperf3 wrote: " + read(clientLog),
                    () -> read(clientLog).contains("Mbits/sec"));

            long start = System.nanoTime();
            BridgeProcess.Stopped stopped = busy.stop().assertClean();
            System.out.printf("SIGTERM under load: the bridge exited in %d ms%n", (System.nanoTime() - start) / 1_000_000);

            assertTrue(stopped.summary().counter("ap0", "rx_frames") > 1000, stopped.output());
            fixture.lab().stop(client);
        }
    }

    static void assertAboveTheFloor(String what, double bitsPerSecond) {
        assertTrue(bitsPerSecond > IperfServer.FLOOR_BITS_PER_SECOND, String.format(
                "TCP %s: %.1f Mbit/s is below the %.0f Mbit/s floor", what, bitsPerSecond / 1e6,
                IperfServer.FLOOR_BITS_PER_SECOND / 1e6));
        assertTrue(bridge.isAlive(), "the bridge exited:\n" + bridge.output());
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
