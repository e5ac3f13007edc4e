package org.quietbridge.it.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.HostCounters;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.lab.Role;

/**
 * The first seconds: a bursty stream (50,000 frames back to back, once a second, five times) starts the
 * moment the bridge says it forwards. Before the warm-up, 11-20% of it was lost; now most runs lose
 * nothing and the rest lose a few hundred frames (README, "Starting warm"). The test holds the loss under
 * 2% and checks that every lost frame is counted where an operator sees it. The frames are counted by
 * the hosts' own interface counters, with IPv6 off so that nothing else is sent; the kernel's stand-in is
 * off, so that every frame crossed the data plane.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@LabTest("warm")
class WarmStartTest {
    private static final int BURSTS = 5;
    private static final int BURST_FRAMES = 50_000;
    private static final Duration SETTLE = Duration.ofSeconds(20);
    /**
     * At most one frame in fifty lost: the worst of 46 runs lost 2,049 of 250,000 (0.8%), and 11-20% was lost
     * before the warm-up; the machine is shared, so the bound leaves room.
     */
    private static final long MOST_LOST = BURSTS * (long) BURST_FRAMES / 50;

    /** Waits for the readiness line in the bridge's log, then sends the bursts; prints what it sent. */
    private static final String SENDER = """
            import socket, sys, time
            ifname, template, log, bursts, frames = sys.argv[1], bytes.fromhex(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            s.bind((ifname, 0))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
            batch = []
            for n in range(frames):
                f = bytearray(template)
                f[-4:] = n.to_bytes(4, "big")
                batch.append(bytes(f))
            print("waiting", flush=True)
            while True:
                try:
                    if "forwarding between" in open(log).read():
                        break
                except FileNotFoundError:
                    pass
                time.sleep(0.001)
            start = time.monotonic()
            sent = 0
            for b in range(bursts):
                while time.monotonic() < start + b:
                    time.sleep(0.0005)
                t0 = time.monotonic()
                for f in batch:
                    while True:
                        try:
                            s.send(f)
                            break
                        except BlockingIOError:
                            pass
                        except OSError as e:
                            if e.errno != 105:  # ENOBUFS: the device queue is full, try again
                                raise
                    sent += 1
                print("burst", b, "took", round(time.monotonic() - t0, 3), "s", flush=True)
            print("sent", sent, flush=True)
            """;

    private static LabFixture fixture;

    @BeforeAll
    static void buildQuietLab() {
        for (Role host : List.of(Role.AP, Role.CORE)) {
            fixture.run(host, "sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=1");
        }
    }

    @Test
    void aBurstyStreamFromTheMomentItForwardsLosesUnderTwoPercentAndCountsWhatItLoses() throws Exception {
        byte[] template = FrameBuilder.ethernet().src(fixture.lab().mac(Role.AP)).dst(fixture.lab().mac(Role.CORE))
                .udp(fixture.lab().ipv4(Role.AP), fixture.lab().ipv4(Role.CORE), 40000, 9).payload(18).build();
        Path script = fixture.write("burst-sender.py", SENDER);
        Path senderLog = fixture.freshPath("burst-sender", "out");
        Path bridgeLog = fixture.dir().resolve("warm.log");
        HostCounters apBefore = HostCounters.read(fixture, Role.AP);
        HostCounters coreBefore = HostCounters.read(fixture, Role.CORE);
        Process sender = fixture.lab().start(Role.AP, senderLog, LabFixture.python(), script.toString(), "eth0",
                HexFormat.of().formatHex(template), bridgeLog.toString(), Integer.toString(BURSTS),
                Integer.toString(BURST_FRAMES));
        Await.until(SETTLE, () -> "the sender to be ready: " + read(senderLog), () -> read(senderLog).contains("waiting"));
        try (BridgeProcess bridge = BridgeProcess.launch(fixture, "warm", "ports: [ap0, core0]\nfailover: off\n",
                List.of())) {
            assertEquals(bridgeLog, bridge.log(), "the sender watches the bridge's log");
            bridge.awaitReady();
            assertTrue(sender.waitFor(SETTLE.toSeconds() + 10, TimeUnit.SECONDS), "the sender: " + read(senderLog));
            long sent = BURSTS * (long) BURST_FRAMES;
            assertTrue(read(senderLog).contains("sent " + sent), read(senderLog));
            long[] got = new long[2];
            long deadline = System.nanoTime() + SETTLE.toNanos();
            do {
                got[1] = HostCounters.read(fixture, Role.AP).minus(apBefore).txPackets();
                got[0] = HostCounters.read(fixture, Role.CORE).minus(coreBefore).rxPackets();
                Thread.sleep(100);
            } while (got[0] < got[1] && System.nanoTime() - deadline < 0);
            BridgeProcess.Stopped stopped = bridge.stop().assertClean();
            System.out.printf("warm start: %d frames in %d bursts of %d from the readiness line; the AP host sent %d,"
                    + " the core host received %d (%d lost); %s%n", sent, BURSTS, BURST_FRAMES, got[1], got[0],
                    got[1] - got[0],
                    read(senderLog).lines().filter(l -> l.startsWith("burst")).toList());
            long lost = got[1] - got[0];
            assertTrue(lost <= MOST_LOST, lost + " frames lost:\n" + stopped.output());
            assertEquals(lost, stopped.summary().counter("ap0", "drop_rx_ring_full")
                    + stopped.summary().counter("core0", "drop_tx_ring_full"), "every lost frame counted:\n"
                    + stopped.output());
        } finally {
            fixture.lab().stop(sender);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
