package org.quietbridge.it.filtering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.api.PrometheusText;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.BridgeSummary;
import org.quietbridge.it.Capture;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.ManagementApi;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.Role;

/**
 * ARP flood containment in {@code unicast} mode on a real wire: the hosts' own ARP (their stacks, from
 * flushed neighbour caches) and crafted ARP from two more stations on the AP side. A request for a known
 * address reaches its owner alone, as a unicast to its MAC; a request for an address on the requester's
 * own side stays there; probes and unknown targets flood; an address that moves to the other side takes
 * its binding with it; and pings keep working throughout.
 */
@LabTest("arpc")
class ArpContainmentTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration PING_LIMIT = Duration.ofSeconds(15);
    /** Two stations on the AP side that exist only as crafted frames. */
    private static final String NEIGHBOUR = "02:00:00:00:a1:50";
    private static final String STATION = "02:00:00:00:a1:51";

    private static LabFixture fixture;

    private static byte[] arp(String ethSrc, String ethDst, int op, String senderMac, String senderIp, String targetIp) {
        return FrameBuilder.ethernet().src(ethSrc).dst(ethDst).arp(op, Ethernet.parseMac(senderMac), senderIp, 0,
                targetIp).build();
    }

    /** The ARP requests in a capture for {@code targetIp}, as their Ethernet destinations. */
    private static List<Long> requestsFor(Capture capture, String targetIp) {
        int target = Ipv4.parse(targetIp);
        return capture.frames().stream()
                .filter(f -> f.length >= 42 && (f[12] & 0xFF) == 0x08 && (f[13] & 0xFF) == 0x06 && f[21] == 1
                        && ((f[38] & 0xFF) << 24 | (f[39] & 0xFF) << 16 | (f[40] & 0xFF) << 8 | (f[41] & 0xFF)) == target)
                .map(f -> {
                    long mac = 0;
                    for (int i = 0; i < 6; i++) {
                        mac = mac << 8 | (f[i] & 0xFF);
                    }
                    return mac;
                }).toList();
    }

    private static void ping(Role from, Role to) {
        CommandResult r = fixture.lab().exec(from, PING_LIMIT, "ping", "-c", "2", "-i", "0.2", "-W", "2",
                fixture.lab().ipv4(to));
        assertEquals(0, r.exitCode(), "ping " + from + " -> " + to + ": " + r.stdout() + r.stderr());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void requestsReachTheirOwnerAloneAsUnicastAndStayOnTheRequestersSide() {
        BridgeProcess bridge = fixture.own(BridgeProcess.startWithApi(fixture, "arp", "ports: [ap0, core0]\n"
                + "arp: {mode: unicast}\n"));
        String apIp = fixture.lab().ipv4(Role.AP);
        String coreIp = fixture.lab().ipv4(Role.CORE);
        String prefix = apIp.substring(0, apIp.lastIndexOf('.') + 1);
        String neighbourIp = prefix + "50";
        String stationIp = prefix + "51";
        String unknownIp = prefix + "99";

        // The hosts' stacks: the AP host asks for the core (unknown yet: flooded), the core answers
        // (bound); then the core asks for the AP host, which its request made known.
        for (Role host : List.of(Role.AP, Role.CORE)) {
            fixture.run(host, "ip", "neigh", "flush", "dev", "eth0");
        }
        ping(Role.AP, Role.CORE);
        Capture ap = fixture.capture(Role.AP, "arp-ap", "arp");
        fixture.run(Role.CORE, "ip", "neigh", "flush", "dev", "eth0");
        ping(Role.CORE, Role.AP);
        List<Long> toAp = requestsFor(ap, apIp);
        assertTrue(!toAp.isEmpty(), "the core host's request reached the AP host: " + ap.frames().size() + " ARP frames");
        assertEquals(Ethernet.parseMac(fixture.lab().mac(Role.AP)), toAp.getFirst(), "as a unicast to its MAC");

        // Two stations on the AP side: one announces itself, the other asks for it (stays on the AP side),
        // probes for an address, and asks for one nobody has (both flood).
        Capture core = fixture.capture(Role.CORE, "arp-core", "arp");
        fixture.sender().send(Role.AP, List.of(
                arp(NEIGHBOUR, "ff:ff:ff:ff:ff:ff", 1, NEIGHBOUR, neighbourIp, neighbourIp),
                arp(STATION, "ff:ff:ff:ff:ff:ff", 1, STATION, stationIp, neighbourIp),
                arp(STATION, "ff:ff:ff:ff:ff:ff", 1, STATION, "0.0.0.0", prefix + "52"),
                arp(STATION, "ff:ff:ff:ff:ff:ff", 1, STATION, stationIp, unknownIp)));
        Await.until(WAIT, "the request for an unknown address to flood to the core",
                () -> !requestsFor(core, unknownIp).isEmpty());
        assertEquals(1, requestsFor(core, prefix + "52").size(), "the probe flooded");
        assertEquals(List.of(Ethernet.BROADCAST_MAC), requestsFor(core, neighbourIp),
                "only the announcement crossed; the station's request stayed on the AP side");

        // The neighbour moves to the core side; the station's next request follows it there, to its MAC.
        fixture.sender().send(Role.CORE, List.of(arp(NEIGHBOUR, "ff:ff:ff:ff:ff:ff", 1, NEIGHBOUR, neighbourIp,
                neighbourIp)));
        fixture.sender().send(Role.AP, List.of(arp(STATION, "ff:ff:ff:ff:ff:ff", 1, STATION, stationIp, neighbourIp)));
        Await.until(WAIT, "the station's request to reach the moved neighbour, as a unicast to its MAC",
                () -> requestsFor(core, neighbourIp).contains(Ethernet.parseMac(NEIGHBOUR)));
        assertEquals(1, requestsFor(core, neighbourIp).stream().filter(d -> d == Ethernet.parseMac(NEIGHBOUR)).count());
        ping(Role.AP, Role.CORE);

        ManagementApi api = new ManagementApi(fixture);
        Map<String, Object> table = api.get("/api/arp").expect(200, "the ARP bindings");
        assertEquals("unicast", table.get("mode"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> bindings = (List<Map<String, Object>>) table.get("bindings");
        Map<String, String> portOf = new java.util.HashMap<>();
        for (Map<String, Object> b : bindings) {
            portOf.put((String) b.get("ip"), b.get("port") + " " + b.get("mac"));
        }
        assertEquals("ap0 " + fixture.lab().mac(Role.AP), portOf.get(apIp), table.toString());
        assertEquals("core0 " + fixture.lab().mac(Role.CORE), portOf.get(coreIp), table.toString());
        assertEquals("core0 " + NEIGHBOUR, portOf.get(neighbourIp), table.toString());
        assertEquals("ap0 " + STATION, portOf.get(stationIp), table.toString());

        Map<String, PrometheusText.Family> m = api.metrics();
        for (String outcome : List.of("rewritten", "same_side", "flooded_unknown", "skipped_probe", "skipped_gratuitous")) {
            assertTrue(ManagementApi.sample(m, "quietbridge_arp_frames_total", "outcome", outcome) >= 1, outcome);
        }
        assertTrue(ManagementApi.sample(m, "quietbridge_arp_binding_events_total", "kind", "moved") >= 1);
        BridgeSummary summary = bridge.stop().assertClean().summary();
        assertEquals(1, summary.counter("ap0", "drop_arp_same_side"), "the station's request, counted");
        assertTrue(bridge.output().contains("arp mode=unicast"), bridge.output());
    }
}
