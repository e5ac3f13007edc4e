package org.quietbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.Role;

/**
 * Real TCP through the bridge: an iperf3 transfer in each direction completes, with the hosts'
 * offloads off (ARCHITECTURE.md fact 3: no super-frames, no unfinished checksums to forward).
 * The rate is printed, not held to a target: this machine is shared and noisy. The floor only
 * catches a bridge that crawls (one syscall per frame, a retire timer, a lost-frame storm).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TcpThroughputTest {
    /** Far below what a working bridge does even on a loaded VM; far above a broken one. */
    private static final double FLOOR_BITS_PER_SECOND = 50e6;
    private static final Duration IPERF_LIMIT = Duration.ofSeconds(60);
    private static final Duration SERVER_LIMIT = Duration.ofSeconds(30);
    /** The receiver's total in iperf3's JSON: "sum_received": { ..., "bits_per_second": N, ... }. */
    private static final Pattern RECEIVED = Pattern.compile(
            "\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+-]+)");
    private static final Pattern RETRANSMITS = Pattern.compile(
            "\"sum_sent\"\\s*:\\s*\\{[^}]*?\"retransmits\"\\s*:\\s*(\\d+)");

    private static LabFixture fixture;
    private static BridgeProcess bridge;

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void startBridgeAndServer() {
        fixture = LabFixture.open("tcp");
        bridge = fixture.startBridge("bridge", "ports: [ap0, core0]\n");
        Path log = fixture.dir().resolve("iperf3-server.log");
        Process server = fixture.lab().start(Role.CORE, log, "iperf3", "-s", "-B", "10.77.0.20", "--forceflush");
        Await.until(SERVER_LIMIT, () -> "iperf3 -s to listen: " + read(log), () -> {
            if (!server.isAlive()) {
                fail("iperf3 -s exited: " + read(log));
            }
            return read(log).contains("Server listening");
        });
    }

    @AfterAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void removeLab() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    @Order(1)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void iperf3FromApToCoreCompletes() {
        assertTransferCompletes("ap -> core", "-t", "5");
    }

    @Test
    @Order(2)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void iperf3FromCoreToApCompletes() {
        assertTransferCompletes("core -> ap", "-t", "3", "-R");
    }

    /** Runs last: stops the bridge. Nothing of the transfer was too big, cut, or left with an unfinished checksum. */
    @Test
    @Order(3)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void exitSummaryShowsNoOversizedTruncatedOrUnfixableFrames() {
        BridgeProcess.Stopped stopped = bridge.stop().assertClean();

        for (String port : List.of("ap0", "core0")) {
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
            Process client = fixture.lab().start(Role.AP, clientLog, "iperf3", "-c", "10.77.0.20", "-t", "30",
                    "-i", "1", "--forceflush", "-f", "m");
            Await.until(SERVER_LIMIT, () -> "the transfer to run; iperf3 wrote: " + read(clientLog),
                    () -> read(clientLog).contains("Mbits/sec"));

            long start = System.nanoTime();
            BridgeProcess.Stopped stopped = busy.stop().assertClean();
            System.out.printf("SIGTERM under load: the bridge exited in %d ms%n", (System.nanoTime() - start) / 1_000_000);

            assertTrue(stopped.summary().counter("ap0", "rx_frames") > 1000, stopped.output());
            fixture.lab().stop(client);
        }
    }

    private static void assertTransferCompletes(String what, String... options) {
        String[] argv = new String[6 + options.length];
        System.arraycopy(new String[] {"iperf3", "-c", "10.77.0.20", "-J", "-f", "m"}, 0, argv, 0, 6);
        System.arraycopy(options, 0, argv, 6, options.length);

        CommandResult client = fixture.lab().exec(Role.AP, IPERF_LIMIT, argv);

        assertEquals(0, client.exitCode(), "iperf3 " + what + " failed:\n" + client.stdout() + client.stderr());
        Matcher received = RECEIVED.matcher(client.stdout());
        assertTrue(received.find(), "no sum_received in iperf3's JSON:\n" + client.stdout());
        double bitsPerSecond = Double.parseDouble(received.group(1));
        Matcher retransmits = RETRANSMITS.matcher(client.stdout());
        System.out.printf("TCP through quietbridge, %s: %.0f Mbit/s (%s retransmits)%n", what, bitsPerSecond / 1e6,
                retransmits.find() ? retransmits.group(1) : "?");
        assertTrue(bitsPerSecond > FLOOR_BITS_PER_SECOND, String.format(
                "TCP %s: %.1f Mbit/s is below the %.0f Mbit/s floor", what, bitsPerSecond / 1e6,
                FLOOR_BITS_PER_SECOND / 1e6));
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
