package org.quietbridge.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.Capture;
import org.quietbridge.it.Direction;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.Marker;
import org.quietbridge.it.Wire;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.Role;

/**
 * How the bridge starts and stops for whoever runs it: systemd learns it is ready through
 * {@code NOTIFY_SOCKET} only once it forwards, SIGTERM and SIGINT both end it cleanly (exit 0,
 * the summary), and once it has stopped nothing bridges any more.
 */
@LabTest("life")
class BridgeLifecycleTest {
    private static final String CONFIG = "ports: [ap0, core0]\n";
    private static final Duration PING_LIMIT = Duration.ofSeconds(20);
    private static final Duration NOTIFY_LIMIT = Duration.ofSeconds(60);
    private static final Duration LINK_LIMIT = Duration.ofSeconds(10);
    /** A frame crosses in milliseconds; seconds mean it waited for something else to push it out. */
    private static final Duration FLAP_CROSS_LIMIT = Duration.ofSeconds(5);
    private static final Duration CPU_WINDOW = Duration.ofSeconds(1);
    private static final Duration QUIET_LIMIT = Duration.ofSeconds(15);
    /** A sleeping bridge uses about 1% of a CPU; a spinning one all of a CPU it can get. */
    private static final double QUIET_CPU_SHARE = 0.25;
    /** Stands in for systemd: receives sd_notify datagrams and prints each line of each one. */
    private static final String LISTENER = """
            import socket, sys
            path = sys.argv[1]
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind("\\0" + path[1:] if path.startswith("@") else path)
            print("bound", flush=True)
            while True:
                data = s.recv(65536).decode("utf-8", "replace")
                for line in data.split("\\n"):
                    print("notify: " + line, flush=True)
            """;

    private static LabFixture fixture;
    private static Path listenerScript;

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void buildLab() {
        listenerScript = fixture.write("notify-listener.py", LISTENER);
        // The ap host's IPv6 is off in this class (its tests ping over IPv4): it sends router
        // solicitations for as long as its link is up, with a growing interval, and one of them
        // could push a frame stuck in the bridge's TX ring out at a random moment and hide it.
        fixture.run(Role.AP, "sysctl", "-q", "-w", "net.ipv6.conf.eth0.disable_ipv6=1");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void notifiesReadyOnAFileSocketOnlyOnceItForwards() {
        assertReadyMeansForwarding(fixture.dir().resolve("notify.sock").toString(), "notify-file");
    }

    /** An abstract socket ("@name") lives in the network namespace: systemd and the bridge share it here. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void notifiesReadyOnAnAbstractSocket() {
        assertReadyMeansForwarding("@qbit-" + ProcessHandle.current().pid() + "-notify", "notify-abstract");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sigintStopsCleanlyLikeSigterm() {
        try (BridgeProcess bridge = fixture.startBridge("sigint", CONFIG)) {
            assertPing(0, "while the bridge runs");

            BridgeProcess.Stopped stopped = bridge.interrupt().assertClean();

            assertTrue(stopped.output().contains("quietbridge: stopping"), stopped.output());
            assertSummaryComplete(stopped);
            assertTrue(stopped.summary().counter("ap0", "rx_frames") > 0, "the ping went through ap0: " + stopped.output());
        }
    }

    /**
     * After SIGTERM the ports are released; then with {@code failover: off} nothing bridges (fail-closed),
     * and with {@code failover: kernel} (the default) the kernel does, at once.
     */
    @ParameterizedTest
    @ValueSource(strings = {"off", "kernel"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sigtermStopsForwardingAndReleasesThePorts(String failover) {
        try (BridgeProcess bridge = fixture.startBridge("sigterm-" + failover, CONFIG + "failover: " + failover + "\n")) {
            assertPing(0, "while the bridge runs");

            BridgeProcess.Stopped stopped = bridge.stop().assertClean();

            assertSummaryComplete(stopped);
            // With failover: kernel the stand-in keeps the ports promiscuous (IFF_PROMISC, promiscuity 1): it
            // forwards unicast between other hosts. The packet sockets' own membership ended either way.
            String promiscuity = failover.equals("off") ? " promiscuity 0 " : " promiscuity 1 ";
            for (String port : List.of("ap0", "core0")) {
                String link = fixture.run(Role.BR, "ip", "-d", "-o", "link", "show", "dev", port).stdout();
                assertTrue(link.contains(promiscuity), port + " after the bridge stopped (failover: " + failover
                        + "), want" + promiscuity + ": " + link);
            }
            if (failover.equals("off")) {
                assertPing(1, "after the bridge stopped with failover: off, nothing may bridge");
            } else {
                assertPing(0, "after the bridge stopped with failover: kernel, the kernel bridges");
            }
        }
    }

    /** Every idle strategy forwards at once and stops within the limit (block mode waits in poll(2)). */
    @ParameterizedTest
    @ValueSource(strings = {"spin", "backoff", "block"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyIdleModeForwardsAndStopsCleanly(String idle) {
        try (BridgeProcess bridge = fixture.startBridge("idle-" + idle, CONFIG + "idle: " + idle + "\n")) {
            assertPing(0, "with idle: " + idle);
            assertSummaryComplete(bridge.stop().assertClean());
        }
    }

    /**
     * STYLE.md rule 6, one port's failure does not stop the others for good: core0 goes down
     * (frames towards it cannot leave) and comes back, and forwarding resumes by itself.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void forwardingResumesAfterAPortGoesDownAndComesBack() {
        try (BridgeProcess bridge = fixture.startBridge("link-flap", CONFIG)) {
            assertPing(0, "before core0 goes down");
            try {
                fixture.run(Role.BR, "ip", "link", "set", "core0", "down");
                assertPing(1, "while core0 is down");
            } finally {
                fixture.run(Role.BR, "ip", "link", "set", "core0", "up");
            }
            Await.until(LINK_LIMIT, "core0 and core's eth0 to be up again", () ->
                    fixture.run(Role.BR, "ip", "-o", "link", "show", "dev", "core0").stdout().contains(" state UP ")
                    && fixture.run(Role.CORE, "ip", "-o", "link", "show", "dev", "eth0").stdout().contains(" state UP "));

            assertPing(0, "after core0 came back up");
            assertTrue(bridge.isAlive(), "the bridge exited after the link flap:\n" + bridge.output());
            BridgeProcess.Stopped stopped = bridge.stop().assertClean();
            long errorLines = stopped.output().lines().filter(l -> l.contains("data plane error")).count();
            System.out.println("link flap: " + errorLines + " data-plane error lines while core0 was down");
        }
    }

    /**
     * A port that went down and up again, with nothing to send while it was down: the first
     * frame for it afterwards must leave at once. The kernel keeps the link-down as a pending
     * socket error (sk_err = ENETDOWN) and reports it on the socket's next send, the bridge's
     * TX kick, even though the link is up by then; a frame must not wait in the TX ring for the
     * next one to kick it out.
     */
    @ParameterizedTest
    @ValueSource(strings = {"spin", "backoff", "block"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void firstFrameAfterAPortFlapCrossesAtOnce(String idle) {
        try (BridgeProcess bridge = fixture.startBridge("flap-" + idle, CONFIG + "idle: " + idle + "\n");
                Capture core = fixture.capture(Role.CORE, "flap-" + idle)) {
            assertPing(0, "before the flap");
            flap("core0");

            byte[] marker = Marker.of("after-flap-" + idle);
            fixture.sender().send(Role.AP, List.of(Wire.experimental(Direction.AP_TO_CORE.srcMac(),
                    Direction.AP_TO_CORE.dstMac(), marker)));

            core.await(marker, FLAP_CROSS_LIMIT);
            assertTrue(bridge.isAlive(), bridge.output());
            bridge.stop().assertClean();
        }
    }

    /**
     * {@code idle: block} sleeps in poll(2) on a quiet wire, and again after a port flapped: a
     * pending socket error makes poll return at once (POLLERR) until someone reads it, which
     * would turn "block" into a busy loop that burns a core.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void blockModeSleepsAgainAfterAPortFlap() {
        try (BridgeProcess bridge = fixture.startBridge("block-flap", CONFIG + "idle: block\n")) {
            awaitQuiet(bridge, "before the flap");
            flap("core0");
            awaitQuiet(bridge, "after core0 went down and up");
            assertPing(0, "after the flap");
            bridge.stop().assertClean();
        }
    }

    /** Takes {@code port} down and up again, and waits until it and its host end are up. */
    private static void flap(String port) {
        try {
            fixture.run(Role.BR, "ip", "link", "set", port, "down");
        } finally {
            fixture.run(Role.BR, "ip", "link", "set", port, "up");
        }
        Role host = port.equals("ap0") ? Role.AP : Role.CORE;
        Await.until(LINK_LIMIT, port + " and " + host + "'s eth0 to be up again", () ->
                fixture.run(Role.BR, "ip", "-o", "link", "show", "dev", port).stdout().contains(" state UP ")
                && fixture.run(host, "ip", "-o", "link", "show", "dev", "eth0").stdout().contains(" state UP "));
    }

    /**
     * Waits until the bridge uses less than {@link #QUIET_CPU_SHARE} of one CPU over a
     * {@link #CPU_WINDOW}: a sleeping data plane, once JIT and start-up work are done.
     */
    private static void awaitQuiet(BridgeProcess bridge, String when) {
        double[] last = {Double.NaN};
        Await.until(QUIET_LIMIT, () -> String.format("the bridge to idle %s (last window: %.0f%% of a CPU)", when,
                100 * last[0]), () -> {
                    last[0] = cpuShare(bridge);
                    return last[0] < QUIET_CPU_SHARE;
                });
    }

    /** The bridge's CPU use over one {@link #CPU_WINDOW}, as a share of one CPU (a measurement window, not a wait). */
    private static double cpuShare(BridgeProcess bridge) {
        Duration before = bridge.cpuTime();
        long start = System.nanoTime();
        try {
            Thread.sleep(CPU_WINDOW);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return (double) bridge.cpuTime().minus(before).toNanos() / (System.nanoTime() - start);
    }

    private static void assertReadyMeansForwarding(String socket, String name) {
        Path log = fixture.freshPath(name + "-listener", "log");
        Process listener = notifyListener(socket, log);

        // failover: off, so that a ping right after READY=1 crossed the data plane, not the kernel's stand-in.
        try (BridgeProcess bridge = BridgeProcess.launch(fixture, name, CONFIG + "failover: off\n",
                List.of("NOTIFY_SOCKET=" + socket))) {
            assertReadyOnlyOnceForwarding(bridge, socket, log);
        } finally {
            fixture.lab().stop(listener);
        }
    }

    /** Starts the sd_notify stand-in on {@code socket}; returns it, bound, with its output in {@code log}. */
    private static Process notifyListener(String socket, Path log) {
        Process listener = fixture.lab().start(Role.BR, log, LabFixture.python(), listenerScript.toString(), socket);
        Await.until(NOTIFY_LIMIT, () -> "the notify listener to bind " + socket + ": " + read(log), () -> {
            if (!listener.isAlive()) {
                fail("the notify listener exited: " + read(log));
            }
            return read(log).contains("bound");
        });
        return listener;
    }

    private static int watchdogPings(Path log) {
        return (int) read(log).lines().filter("notify: WATCHDOG=1"::equals).count();
    }

    /**
     * systemd's watchdog (WatchdogSec=, here 600 ms): the data plane pings it from its own loop, a third
     * of the period apart, and a data plane that stands still (SIGSTOP) pings nothing, so systemd would
     * kill and restart it.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theDataPlanePingsTheWatchdogOnlyWhileItRuns() throws InterruptedException {
        String socket = "@qbit-" + ProcessHandle.current().pid() + "-watchdog";
        Path log = fixture.freshPath("watchdog-listener", "log");
        Process listener = notifyListener(socket, log);
        try (BridgeProcess bridge = BridgeProcess.start(fixture, "watchdog", CONFIG,
                List.of("NOTIFY_SOCKET=" + socket, "WATCHDOG_USEC=600000"))) {
            Await.until(NOTIFY_LIMIT, () -> "WATCHDOG=1 pings; listener got: " + read(log),
                    () -> watchdogPings(log) >= 3);
            bridge.signal("STOP");
            int stopped;
            try {
                Thread.sleep(300); // a ping already on its way may still land
                stopped = watchdogPings(log);
                Thread.sleep(1500);
                assertEquals(stopped, watchdogPings(log), "WATCHDOG=1 while the data plane stood still: " + read(log));
            } finally {
                bridge.signal("CONT");
            }
            Await.until(NOTIFY_LIMIT, () -> "WATCHDOG=1 again after SIGCONT; listener got: " + read(log),
                    () -> watchdogPings(log) >= stopped + 3);
            bridge.stop().assertClean();
        } finally {
            fixture.lab().stop(listener);
        }
    }

    private static void assertReadyOnlyOnceForwarding(BridgeProcess bridge, String socket, Path log) {
        Await.until(NOTIFY_LIMIT, () -> "READY=1 on " + socket + "; listener got: " + read(log) + "\nbridge wrote: "
                + bridge.output(), () -> {
                    if (!bridge.isAlive()) {
                        fail("the bridge exited before READY=1:\n" + bridge.output());
                    }
                    return read(log).contains("notify: READY=1");
                });

        // The forwarding line comes first, and READY=1 means frames cross now: no retry, no grace period.
        assertTrue(bridge.output().contains(BridgeProcess.READY_LINE),
                "READY=1 arrived before the readiness line:\n" + bridge.output());
        assertPing(0, "right after READY=1");
        assertTrue(read(log).contains("notify: STATUS=forwarding between ap0, core0"), read(log));

        bridge.stop().assertClean();
        Await.until(NOTIFY_LIMIT, () -> "STOPPING=1 on " + socket + "; listener got: " + read(log),
                () -> read(log).contains("notify: STOPPING=1"));
    }

    /** One line per port and per default rule, as operators' scripts read them. */
    private static void assertSummaryComplete(BridgeProcess.Stopped stopped) {
        assertEquals(List.of("ap0", "core0"), List.copyOf(stopped.summary().ports().keySet()), stopped.output());
        assertEquals(List.of("netbios-broadcast-l2", "netbios-broadcast-l3"),
                List.copyOf(stopped.summary().rules().keySet()), stopped.output());
    }

    /**
     * One ping ap -> core, from empty neighbour caches: an ARP resolution left over from an
     * earlier ping that could not cross would otherwise fail this one too ("Destination Host
     * Unreachable" for every packet queued behind it). {@code expectedExit} 0: it must cross.
     */
    private static void assertPing(int expectedExit, String when) {
        for (Role host : List.of(Role.AP, Role.CORE)) {
            fixture.run(host, "ip", "neigh", "flush", "dev", "eth0");
        }
        CommandResult ping = fixture.lab().exec(Role.AP, PING_LIMIT, "ping", "-c", "1", "-W", expectedExit == 0 ? "5" : "1",
                "10.77.0.20");
        if (expectedExit == 0) {
            assertEquals(0, ping.exitCode(), "ping ap -> core " + when + ": " + ping.stdout() + ping.stderr());
        } else {
            assertNotEquals(0, ping.exitCode(), "ping ap -> core " + when + ": " + ping.stdout());
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
