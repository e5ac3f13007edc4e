package org.quietbridge.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.cli.demo.CampusScenario;
import org.quietbridge.cli.demo.Installation;
import org.quietbridge.lab.CampusLab;
import org.quietbridge.lab.Lab;

/**
 * The campus segment end to end ({@code quietbridge lab campus}): 20 clients behind a kernel-bridge access point,
 * a gateway, a DHCP and NetBIOS server and 10 desktops on the core, all with their own stacks (dnsmasq, udhcpc,
 * nmbd, nmblookup, ping, mDNS over UDP), the real bridge in its own JVM. The same activity runs without
 * quietbridge, with its NetBIOS rules and with everything on; tcpdump on one client counts what reaches it.
 * Nothing may break: every lease, every unicast name query, every ping of all pairs from flushed caches, and an
 * address that moves from a client to the core side. With everything on, at least 75% fewer broadcast and
 * multicast frames must reach the client.
 */
class CampusLabTest {
    /** qbit-: .ci/run checks that no namespace of that prefix is left after the tests. */
    private static final String PREFIX = "qbit-" + ProcessHandle.current().pid() + "-cmp";
    private static final int SECONDS = 20;
    private static final Pattern REACHING = Pattern.compile("broadcast and multicast reaching c01 in \\d+ s: (\\d+)"
            + " \\(NetBIOS (\\d+), ARP (\\d+), DHCP (\\d+), mDNS (\\d+), other (\\d+)\\), (\\d+) of them from its"
            + " neighbours behind the access point");
    /** A ping that only a second echo request got answered: counted and shown, not hidden. */
    private static final String AGAIN = "( \\(\\d+ only to a second echo request\\))?";
    private static final Pattern FIGURE = Pattern.compile("ok    everything on: (\\d+)% fewer broadcast and multicast"
            + " frames reach c01 than without quietbridge .*");

    @BeforeAll
    static void root() {
        assumeTrue(Lab.runningAsRoot(), "skipped: the campus lab needs root to create network namespaces");
    }

    @AfterEach
    void removeWhatTheScenarioLeft() {
        CampusLab.destroy(PREFIX); // only matters when the scenario failed to: the assertions below catch that
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void everythingOnRemovesThreeQuartersOfTheBroadcastAndMulticastAndBreaksNothing() {
        StringWriter text = new StringWriter();

        int exitCode = new CampusScenario(PREFIX, SECONDS, Installation.current(), new PrintWriter(text)).run();

        String report = text.toString();
        assertEquals(0, exitCode, report);
        assertFalse(report.contains("FAIL"), report);
        assertEquals(3, count(report, "ok    DHCP: 20 of 20 clients took a lease from dnsmasq"), report);
        assertEquals(3, count(report, "ok    NetBIOS unicast name queries \\(nmblookup -U 10\\.77\\.0\\.2 QBSRV\\):"
                + " 20 of 20 clients answered"), report);
        assertEquals(3, count(report, "ok    pings to the gateway and the server: 41 of 41 answered" + AGAIN), report);
        assertEquals(3, count(report, "ok    the gateway, its cache flushed, pings every client: 20 of 20 answered"
                + AGAIN), report);
        assertEquals(1, count(report, "ok    all pairs ping, every neighbour cache flushed: 992 of 992 answered"
                + AGAIN), report);
        assertEquals(1, count(report, "ok    moved address: 10\\.77\\.0\\.\\d+ left c20 \\(behind the AP\\) for d10"
                + " \\(core\\); d10 reaches the gateway from it: yes, the gateway reaches it: yes, c01 reaches it: yes"),
                report);

        List<Matcher> phases = report.lines().map(String::strip).map(REACHING::matcher).filter(Matcher::matches)
                .toList();
        assertEquals(3, phases.size(), report);
        Matcher off = phases.get(0);
        Matcher netbios = phases.get(1);
        Matcher all = phases.get(2);
        assertTrue(number(off, 2) > 0, "nmbd's broadcasts reach the client without quietbridge:\n" + report);
        assertEquals(0, number(netbios, 2), "no NetBIOS broadcast crosses the NetBIOS rules:\n" + report);
        assertEquals(0, number(all, 2), report);
        assertTrue(number(all, 3) < number(off, 3), "ARP containment removes ARP broadcasts:\n" + report);
        // What the neighbours behind the same access point send never reaches the bridge: it stays.
        assertTrue(number(all, 7) >= number(all, 1) - number(all, 5) - number(all, 3), report);

        Matcher figure = report.lines().map(String::strip).map(FIGURE::matcher).filter(Matcher::matches).findFirst()
                .orElseThrow(() -> new AssertionError("no figure in:\n" + report));
        int removed = Integer.parseInt(figure.group(1));
        assertTrue(removed >= CampusScenario.GOAL_PERCENT, report);
        assertEquals(removed, 100 * (number(off, 1) - number(all, 1)) / number(off, 1), report);

        assertEquals(List.of(), CampusLab.existingNamespaces(PREFIX), report);
        assertFalse(Files.exists(Path.of("/run/quietbridge/lab-" + PREFIX)), report);
    }

    private static long count(String report, String regex) {
        Pattern pattern = Pattern.compile(regex);
        return report.lines().map(String::strip).filter(line -> pattern.matcher(line).matches()).count();
    }

    private static int number(Matcher matcher, int group) {
        return Integer.parseInt(matcher.group(group));
    }
}
