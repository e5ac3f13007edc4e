package org.quietbridge.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.quietbridge.cli.demo.CampusTally.Kind;

class CampusTallyTest {
    private static final List<String> CAPTURE = List.of(
            "tcpdump: verbose output suppressed, use -v[v]... for full protocol decode",
            "listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes",
            "02:77:0d:00:00:01 > ff:ff:ff:ff:ff:ff, IPv4, length 92: 10.77.0.11.137 > 10.77.0.255.137: UDP, length 50",
            "02:77:0d:00:00:01 > ff:ff:ff:ff:ff:ff, IPv4, length 243: 10.77.0.11.138 > 10.77.0.255.138: UDP, length 201",
            "02:77:00:00:00:01 > ff:ff:ff:ff:ff:ff, ARP, length 42: Request who-has 10.77.0.150 tell 10.77.0.1, length 28",
            "02:77:0c:00:00:02 > ff:ff:ff:ff:ff:ff, IPv4, length 342: 0.0.0.0.68 > 255.255.255.255.67: UDP, length 300",
            "02:77:0d:00:00:0a > 01:00:5e:00:00:fb, IPv4, length 75: 10.77.0.20.40000 > 224.0.0.251.5353: UDP, length 33",
            "02:77:0c:00:00:03 > 01:00:5e:00:00:01, IPv4, length 46: 10.77.0.101 > 224.0.0.1: igmp",
            "7 packets captured",
            "0 packets dropped by kernel");

    @Test
    void countsEachFrameByWhatItCarriedAndNothingElse() {
        CampusTally tally = CampusTally.of(CAPTURE, mac -> mac.startsWith("02:77:0c:"));

        assertEquals(2, tally.count(Kind.NETBIOS));
        assertEquals(1, tally.count(Kind.ARP));
        assertEquals(1, tally.count(Kind.DHCP));
        assertEquals(1, tally.count(Kind.MDNS));
        assertEquals(1, tally.count(Kind.OTHER));
        assertEquals(6, tally.total());
    }

    @Test
    void framesFromTheClientsOwnSideAreTheOnesItsPeersSent() {
        assertEquals(2, CampusTally.of(CAPTURE, mac -> mac.startsWith("02:77:0c:")).fromPeer());
        assertEquals(0, CampusTally.of(CAPTURE, mac -> false).fromPeer());
    }

    @Test
    void aNetbiosReplyFromAnEphemeralPortIsStillNetbios() {
        assertEquals(Kind.NETBIOS, CampusTally.kind(
                "02:77:00:00:00:02 > ff:ff:ff:ff:ff:ff, IPv4, length 104: 10.77.0.2.137 > 10.77.0.255.53211: UDP, length 62"));
    }

    @Test
    void theFigureIsTheShareRemovedRoundedDown() {
        CampusTally without = CampusTally.of(CAPTURE, mac -> false);
        CampusTally with = CampusTally.of(CAPTURE.subList(0, 4), mac -> false);

        assertEquals(66, CampusScenario.percentRemoved(without, with));
    }
}
