package org.quietbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.Role;

/**
 * An {@code iperf3 -s} on one host of the lab, bound to one address, and the client runs against it:
 * real TCP through whatever bridges the lab. {@link #close()} ends the server.
 */
public final class IperfServer implements AutoCloseable {
    /** Far below what a working bridge does even on a loaded VM; far above a broken one. */
    public static final double FLOOR_BITS_PER_SECOND = 50e6;
    private static final Duration IPERF_LIMIT = Duration.ofSeconds(60);
    private static final Duration SERVER_LIMIT = Duration.ofSeconds(30);
    /** The receiver's total in iperf3's JSON: "sum_received": { ..., "bits_per_second": N, ... }. */
    private static final Pattern RECEIVED = Pattern.compile(
            "\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+-]+)");
    private static final Pattern RETRANSMITS = Pattern.compile(
            "\"sum_sent\"\\s*:\\s*\\{[^}]*?\"retransmits\"\\s*:\\s*(\\d+)");

    private final LabFixture fixture;
    private final Process server;
    private final String address;

    private IperfServer(LabFixture fixture, Process server, String address) {
        this.fixture = fixture;
        this.server = server;
        this.address = address;
    }

    /** Starts {@code iperf3 -s -B address} on {@code host} and waits until it listens. */
    public static IperfServer start(LabFixture fixture, Role host, String address) {
        Path log = fixture.freshPath("iperf3-server", "log");
        Process server = fixture.lab().start(host, log, "iperf3", "-s", "-B", address, "--forceflush");
        IperfServer started = new IperfServer(fixture, server, address);
        try {
            Await.until(SERVER_LIMIT, () -> "iperf3 -s to listen: " + read(log), () -> {
                if (!server.isAlive()) {
                    fail("iperf3 -s exited: " + read(log));
                }
                return read(log).contains("Server listening");
            });
        } catch (RuntimeException | AssertionError e) {
            started.close();
            throw e;
        }
        return started;
    }

    /**
     * Runs {@code iperf3 -c} from {@code client} with {@code options} (-t, -R, ...), asserts that it
     * completed, prints its rate and retransmits, and returns the receiver's bits per second.
     */
    public double runClient(Role client, String... options) {
        List<String> argv = new ArrayList<>(List.of("iperf3", "-c", address, "-J", "-f", "m"));
        argv.addAll(List.of(options));
        CommandResult result = fixture.lab().exec(client, IPERF_LIMIT, argv.toArray(String[]::new));
        String what = String.join(" ", options);
        assertEquals(0, result.exitCode(), "iperf3 " + what + " failed:\n" + result.stdout() + result.stderr());
        Matcher received = RECEIVED.matcher(result.stdout());
        assertTrue(received.find(), "no sum_received in iperf3's JSON:\n" + result.stdout());
        double bitsPerSecond = Double.parseDouble(received.group(1));
        Matcher retransmits = RETRANSMITS.matcher(result.stdout());
        System.out.printf("iperf3 %s to %s: %.0f Mbit/s (%s retransmits)%n", what, address, bitsPerSecond / 1e6,
                retransmits.find() ? retransmits.group(1) : "?");
        return bitsPerSecond;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        fixture.lab().stop(server);
    }
}
