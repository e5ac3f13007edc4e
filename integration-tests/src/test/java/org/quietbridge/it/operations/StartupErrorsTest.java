package org.quietbridge.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.EthtoolFeatures;
import org.quietbridge.lab.Role;

/**
 * What an operator sees when {@code quietbridge run} cannot start: one line on stderr that says
 * what is wrong, exit status 2, and nothing left behind. After every refusal, the ports are as
 * they were (not promiscuous, GRO as before, up, MTU 1500) and a bridge started next on them
 * forwards.
 */
@LabTest("start")
class StartupErrorsTest {
    private static final String CONFIG = "ports: [ap0, core0]\n";
    private static final Duration LINK_LIMIT = Duration.ofSeconds(10);
    private static final Duration PING_LIMIT = Duration.ofSeconds(20);
    private static final Pattern PROMISCUITY = Pattern.compile(" promiscuity (\\d+) ");
    private static final List<String> PORTS = List.of("ap0", "core0");

    private static LabFixture fixture;
    private static final Map<String, EthtoolFeatures> offloadsBefore = new HashMap<>();

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void buildLab() {
        for (String port : PORTS) {
            offloadsBefore.put(port, offloads(port));
        }
    }

    /** Whatever a test did to the ports, the next one starts from the lab's state. */
    @AfterEach
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void restorePorts() {
        if (fixture == null) {
            return;
        }
        for (String port : PORTS) {
            fixture.run(Role.BR, "ip", "link", "set", port, "mtu", "1500", "up");
        }
        awaitLinksUp();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void refusesUnknownInterface() {
        CommandResult run = BridgeProcess.runToExit(fixture, "unknown", "ports: [ap0, nope0]\n");

        assertOneLineRefusal(run, "no such interface: nope0");
        assertNothingLeftBehind();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void refusesInterfaceThatIsDown() {
        fixture.run(Role.BR, "ip", "link", "set", "core0", "down");

        CommandResult run = BridgeProcess.runToExit(fixture, "down", CONFIG);

        assertOneLineRefusal(run, "interface core0 is down");
        fixture.run(Role.BR, "ip", "link", "set", "core0", "up");
        awaitLinksUp();
        assertNothingLeftBehind();
    }

    /** A configuration error: file:line:column, no "quietbridge:" prefix. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void refusesTheSameInterfaceTwice() {
        CommandResult run = BridgeProcess.runToExit(fixture, "twice", "ports: [ap0, ap0]\n");

        String line = assertOneLineRefusal(run, "interface 'ap0' is listed twice");
        assertTrue(line.matches(".*/twice\\.yaml:1:\\d+: .*"), "not file:line:column: " + line);
        assertNothingLeftBehind();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void refusesMtuMismatch() {
        fixture.run(Role.BR, "ip", "link", "set", "core0", "mtu", "1400");

        CommandResult run = BridgeProcess.runToExit(fixture, "mtu", CONFIG);

        String line = assertOneLineRefusal(run, "MTU mismatch");
        assertTrue(line.contains("ap0 has 1500") && line.contains("core0 has 1400"), line);
        fixture.run(Role.BR, "ip", "link", "set", "core0", "mtu", "1500");
        assertNothingLeftBehind();
    }

    /** Two bridges on one interface would each forward the other's frames; the second one must not start. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void refusesSecondBridgeOnTheSamePorts() {
        // The first bridge fails closed, so that what is left afterwards is the refused second one's doing.
        try (BridgeProcess first = fixture.startBridge("first", CONFIG + "failover: off\n")) {
            CommandResult second = BridgeProcess.runToExit(fixture, "second", CONFIG);

            String line = assertOneLineRefusal(second, "already bridged");
            assertTrue(line.contains("pid " + first.pid()), "the message does not name the running bridge's pid "
                    + first.pid() + ": " + line);
            assertPingCrosses("the first bridge, after the second was refused");
            first.stop().assertClean();
        }
        assertNothingLeftBehind();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void refusesToRunWithoutPrivileges() {
        CommandResult run = BridgeProcess.runToExit(fixture, "nobody", CONFIG,
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

        String line = assertOneLineRefusal(run, "CAP_NET_RAW");
        assertTrue(line.contains("euid 65534"), line);
        assertNothingLeftBehind();
    }

    /** Exit 2, nothing on stdout, exactly one line on stderr that holds {@code expected}; returns that line. */
    private static String assertOneLineRefusal(CommandResult run, String expected) {
        String context = "\nstdout: " + run.stdout() + "\nstderr: " + run.stderr();
        assertEquals(2, run.exitCode(), "exit status" + context);
        assertEquals("", run.stdout(), "stdout" + context);
        List<String> lines = run.stderr().lines().toList();
        assertEquals(1, lines.size(), "stderr is not one line" + context);
        assertTrue(lines.getFirst().contains(expected), "stderr lacks \"" + expected + "\"" + context);
        assertTrue(!lines.getFirst().contains("Exception") && !lines.getFirst().contains("\tat "),
                "a stack trace or exception name reached the operator" + context);
        return lines.getFirst();
    }

    /** The ports are as the lab built them, and a bridge started now forwards. */
    private static void assertNothingLeftBehind() {
        for (String port : PORTS) {
            String link = fixture.run(Role.BR, "ip", "-d", "-o", "link", "show", "dev", port).stdout();
            Matcher promiscuity = PROMISCUITY.matcher(link);
            assertTrue(promiscuity.find(), "no promiscuity in: " + link);
            assertEquals("0", promiscuity.group(1), port + " was left promiscuous: " + link);
            assertTrue(link.contains(" mtu 1500 "), port + ": " + link);
            EthtoolFeatures before = offloadsBefore.get(port);
            EthtoolFeatures now = offloads(port);
            for (String feature : List.of("generic-receive-offload", "large-receive-offload")) {
                assertEquals(before.isOn(feature), now.isOn(feature), port + " " + feature + " changed");
            }
        }
        String tables = fixture.run(Role.BR, "nft", "list", "tables", "netdev").stdout();
        assertTrue(!tables.contains("quietbridge_"), "a refused start installed the kernel's stand-in: " + tables);
        // failover: off, so that this bridge leaves nothing behind either (the stand-in would keep the
        // ports promiscuous for the next test to find).
        try (BridgeProcess next = fixture.startBridge("next", CONFIG + "failover: off\n")) {
            assertPingCrosses("a bridge started after the refusal");
            next.stop().assertClean();
        }
    }

    /** One ping ap -> core from empty neighbour caches, so that no earlier resolution state decides it. */
    private static void assertPingCrosses(String what) {
        for (Role host : List.of(Role.AP, Role.CORE)) {
            fixture.run(host, "ip", "neigh", "flush", "dev", "eth0");
        }
        CommandResult ping = fixture.lab().exec(Role.AP, PING_LIMIT, "ping", "-c", "1", "-W", "5", "10.77.0.20");
        assertEquals(0, ping.exitCode(), what + ": ping ap -> core failed: " + ping.stdout() + ping.stderr());
    }

    private static EthtoolFeatures offloads(String port) {
        return EthtoolFeatures.parse(fixture.run(Role.BR, "ethtool", "-k", port).stdout());
    }

    private static void awaitLinksUp() {
        Await.until(LINK_LIMIT, "ap0, core0 and the hosts' eth0 to be up", () -> {
            for (String port : PORTS) {
                if (!fixture.run(Role.BR, "ip", "-o", "link", "show", "dev", port).stdout().contains(" state UP ")) {
                    return false;
                }
            }
            for (Role host : List.of(Role.AP, Role.CORE)) {
                if (!fixture.run(host, "ip", "-o", "link", "show", "dev", "eth0").stdout().contains(" state UP ")) {
                    return false;
                }
            }
            return true;
        });
    }
}
