package org.quietbridge.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.CommandRunner;
import org.quietbridge.lab.EthtoolFeatures;
import org.quietbridge.lab.Lab;
import org.quietbridge.lab.LabOptions;
import org.quietbridge.lab.Role;

/**
 * The namespace lab is what the end-to-end tests stand on: this checks that it is built as
 * documented, that the two hosts talk only through whatever bridges {@code br}, and that it
 * leaves nothing behind.
 *
 * <p>Cleanup, in order of preference: {@code close()} in {@code finally} or after the class ({@code LabTest});
 * {@link Lab#destroy(String)} for what those missed; and, when the JVM dies first, the shutdown
 * hook that {@link LabOptions#removeOnExit()} registers.
 */
@LabTest("topo")
class LabTopologyTest {
    private static final Pattern MTU = Pattern.compile(" mtu (\\d+) ");
    private static final Duration PING_LIMIT = Duration.ofSeconds(10);

    private static LabFixture fixture;
    private static Lab lab;

    @BeforeAll
    static void useLab() {
        lab = fixture.lab();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void createsThreeNamespacesNamedAfterThePrefix() {
        List<String> listed = run("ip", "netns", "list").stdout().lines()
                .map(line -> line.split(" ", 2)[0])
                .toList();

        for (String suffix : List.of("ap", "br", "core")) {
            String name = lab.prefix() + "-" + suffix;
            assertTrue(listed.contains(name), "ip netns list lacks " + name + ": " + listed);
        }
        assertEquals(lab.prefix() + "-br", lab.namespace(Role.BR));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void hostsHaveTheirAddressesInOneSubnet() {
        assertHostAddressing(Role.AP, "10.77.0.10/24", "fd00:77::10/64", "02:77:00:00:00:10");
        assertHostAddressing(Role.CORE, "10.77.0.20/24", "fd00:77::20/64", "02:77:00:00:00:20");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void bridgePortsAreUpUnnumberedAndShareTheHostsMtu() {
        for (String port : List.of("ap0", "core0")) {
            String link = inLab(Role.BR, "ip", "-o", "link", "show", "dev", port).stdout();
            assertTrue(link.contains(" state UP "), port + " is not up: " + link);
            assertEquals(1500, mtuOf(link), port);
            String addresses = inLab(Role.BR, "ip", "-o", "addr", "show", "dev", port).stdout();
            assertEquals("", addresses.strip(), port + " carries an address");
        }
        for (Role host : List.of(Role.AP, Role.CORE)) {
            assertEquals(1500, mtuOf(inLab(host, "ip", "-o", "link", "show", "dev", "eth0").stdout()), host + " eth0");
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void hostsKeepTheOffloadsEveryVmAndContainerHas() {
        for (Role host : List.of(Role.AP, Role.CORE)) {
            EthtoolFeatures features = EthtoolFeatures.parse(inLab(host, "ethtool", "-k", "eth0").stdout());
            for (String offload : List.of("tcp-segmentation-offload", "generic-segmentation-offload", "tx-checksumming")) {
                assertTrue(features.isOn(offload), host + " eth0 has " + offload + " off");
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void hostsCannotReachEachOtherWhileNothingBridges() {
        CommandResult ping = lab.exec(Role.AP, PING_LIMIT, "ping", "-c", "1", "-W", "1", lab.ipv4(Role.CORE));

        assertNotEquals(0, ping.exitCode(), "ping crossed an empty bridge namespace: " + ping.stdout());
    }

    /** A kernel bridge in {@code br} stands in for quietbridge until the user-space bridge exists. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void pingCrossesAKernelBridgeInTheBridgeNamespace() {
        try {
            inLab(Role.BR, "ip", "link", "add", "name", "kbr0", "type", "bridge");
            inLab(Role.BR, "ip", "link", "set", "ap0", "master", "kbr0");
            inLab(Role.BR, "ip", "link", "set", "core0", "master", "kbr0");
            inLab(Role.BR, "ip", "link", "set", "kbr0", "up");

            CommandResult ping4 = lab.exec(Role.AP, PING_LIMIT, "ping", "-c", "3", "-W", "1", lab.ipv4(Role.CORE));
            assertEquals(0, ping4.exitCode(), "IPv4 ping ap -> core failed: " + ping4.stdout() + ping4.stderr());
            // IPv6 too: neighbour discovery (multicast to 33:33:ff:...) has to cross the bridge.
            CommandResult ping6 = lab.exec(Role.AP, PING_LIMIT, "ping", "-6", "-c", "3", "-W", "1", lab.ipv6(Role.CORE));
            assertEquals(0, ping6.exitCode(), "IPv6 ping ap -> core failed: " + ping6.stdout() + ping6.stderr());
        } finally {
            lab.exec(Role.BR, "ip", "link", "del", "kbr0"); // releases ap0 and core0, which stay up
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void closeStopsLabProcessesAndRemovesTheNamespacesOnce() throws InterruptedException {
        String prefix = lab.prefix() + "-close";
        try {
            Lab closing = Lab.create(prefix, LabOptions.defaults());
            Process sleeper = closing.start(Role.CORE, "sleep", "600");
            assertTrue(sleeper.isAlive(), "sleep did not start");

            closing.close();

            assertTrue(sleeper.waitFor(5, TimeUnit.SECONDS), "close() left a lab process running");
            assertEquals(List.of(), Lab.existingNamespaces(prefix));
            assertThrows(IllegalStateException.class, () -> closing.exec(Role.CORE, "true"));
            closing.close(); // idempotent: nothing left to do, nothing thrown
        } finally {
            Lab.destroy(prefix);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void destroyRemovesTheLeftoversOfACrashedRun() {
        String prefix = lab.prefix() + "-crash";
        try {
            // A run that died without close(): no hook, and a daemon that forked away from its starter.
            Lab.create(prefix, LabOptions.defaults().withRemoveOnExit(false));
            run("ip", "netns", "exec", prefix + "-core", "sh", "-c", "sleep 600 >/dev/null 2>&1 &");
            List<ProcessHandle> leftovers = run("ip", "netns", "pids", prefix + "-core").stdout().lines()
                    .map(pid -> ProcessHandle.of(Long.parseLong(pid.strip())).orElseThrow())
                    .toList();
            assertEquals(1, leftovers.size(), "expected the one forked sleep in " + prefix + "-core");

            Lab.destroy(prefix);

            assertEquals(List.of(), Lab.existingNamespaces(prefix));
            ProcessHandle sleeper = leftovers.getFirst();
            assertEquals(sleeper, sleeper.onExit().completeOnTimeout(null, 5, TimeUnit.SECONDS).join(),
                    "destroy() left the forked sleep running");
        } finally {
            Lab.destroy(prefix);
        }
    }

    private static void assertHostAddressing(Role host, String ipv4, String ipv6, String mac) {
        String addresses = inLab(host, "ip", "-o", "addr", "show", "dev", "eth0").stdout();
        assertTrue(addresses.contains(" inet " + ipv4 + " "), host + " lacks " + ipv4 + ": " + addresses);
        assertTrue(addresses.contains(" inet6 " + ipv6 + " "), host + " lacks " + ipv6 + ": " + addresses);
        assertFalse(addresses.contains("tentative"), host + " has an address still in DAD: " + addresses);
        String link = inLab(host, "ip", "-o", "link", "show", "dev", "eth0").stdout();
        assertTrue(link.contains(" link/ether " + mac + " "), host + " eth0 is not " + mac + ": " + link);
        assertEquals(ipv4.substring(0, ipv4.indexOf('/')), lab.ipv4(host));
        assertEquals(ipv6.substring(0, ipv6.indexOf('/')), lab.ipv6(host));
        assertEquals(mac, lab.mac(host));
    }

    private static int mtuOf(String ipLinkLine) {
        Matcher matcher = MTU.matcher(ipLinkLine);
        assertTrue(matcher.find(), "no mtu in: " + ipLinkLine);
        return Integer.parseInt(matcher.group(1));
    }

    private static CommandResult inLab(Role role, String... argv) {
        return lab.exec(role, argv).orThrow();
    }

    private static CommandResult run(String... argv) {
        return CommandRunner.run(List.of(argv), Duration.ofSeconds(30)).orThrow();
    }
}
