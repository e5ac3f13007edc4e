package org.quietbridge.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.quietbridge.frame.FrameView;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.testing.FrameBuilder;

/** Each match key, on its own, matching and not matching byte-exact frames. */
class MatchKeysTest {
    private static final String SERVER = "00:aa:bb:cc:dd:ee";

    private static FrameBuilder eth() {
        return FrameBuilder.ethernet().src("00:11:22:33:44:55").dst(SERVER);
    }

    private static byte[] udp(String dst, int dport) {
        return eth().udp("10.8.1.5", dst, 40000, dport).payload(20).build();
    }

    private static byte[] tagged(int vid) {
        return eth().vlan(0x8100, vid).udp("10.8.1.5", "10.8.0.10", 40000, 53).payload(20).build();
    }

    private static byte[] untagged() {
        return udp("10.8.0.10", 53);
    }

    private static byte[] arp() {
        return eth().broadcast().arp(1, 0x0011_2233_4455L, "10.8.1.5", 0, "10.8.0.1").padTo(60).build();
    }

    @Test
    void missingMatchMatchesEveryFrame() {
        RuleProbe p = RuleProbe.of("rules:\n  - name: all\n    action: count\n");
        assertTrue(p.matches(arp()));
        assertTrue(p.matches(untagged()));
        assertEquals(0, p.firstMalformed(new byte[10]));
        assertEquals("any", p.rules.ruleSet().rules().getFirst().match().describe());
    }

    @Test
    void emptyMatchMappingMatchesEveryFrame() {
        RuleProbe p = RuleProbe.oneRule("");
        assertTrue(p.matches(arp()));
        assertTrue(p.matches(tagged(7)));
    }

    @Test
    void keysAreAndedAndListValuesAreOred() {
        RuleProbe p = RuleProbe.oneRule("ip_protocol: udp, dst_port: [137, 138], l2_dst: broadcast");
        assertTrue(p.matches(eth().broadcast().udp("10.8.1.5", "10.8.255.255", 138, 138).build()));
        assertTrue(p.matches(eth().broadcast().udp("10.8.1.5", "10.8.255.255", 137, 137).build()));
        assertFalse(p.matches(eth().broadcast().udp("10.8.1.5", "10.8.255.255", 139, 139).build()), "port");
        assertFalse(p.matches(eth().broadcast().tcp("10.8.1.5", "10.8.255.255", 137, 137).build()), "protocol");
        assertFalse(p.matches(eth().udp("10.8.1.5", "10.8.255.255", 137, 137).build()), "l2_dst");
    }

    @Nested
    class Ingress {
        private final RuleProbe p = RuleProbe.oneRule("ingress: eth2");

        @Test
        void matchesFramesArrivingOnTheNamedPort() {
            assertEquals(0, p.first(untagged(), 1));
        }

        @Test
        void doesNotMatchOtherPortsOrUnknownIndexes() {
            assertEquals(-1, p.first(untagged(), 0));
            assertEquals(-1, p.first(untagged(), 2));
            assertEquals(-1, p.first(untagged(), -1));
            assertEquals(-1, p.first(untagged(), 1000));
        }

        @Test
        void matchesNothingWhenCompiledWithoutPortNames() {
            RuleProbe noPorts = new RuleProbe(CompiledRules.compile(p.rules.ruleSet(), null));
            assertEquals(-1, noPorts.first(untagged(), 0));
            assertEquals(-1, noPorts.first(untagged(), 1));
        }
    }

    @Nested
    class Vlan {
        @Test
        void matchesTheOutermostVid() {
            RuleProbe p = RuleProbe.oneRule("vlan: 10");
            assertTrue(p.matches(tagged(10)));
            assertFalse(p.matches(tagged(11)));
            assertFalse(p.matches(untagged()));
        }

        @Test
        void matchesRangesAndListsOfVids() {
            RuleProbe p = RuleProbe.oneRule("vlan: [5, 100-199, 4095]");
            assertTrue(p.matches(tagged(5)));
            assertTrue(p.matches(tagged(100)));
            assertTrue(p.matches(tagged(150)));
            assertTrue(p.matches(tagged(199)));
            assertTrue(p.matches(tagged(4095)));
            assertFalse(p.matches(tagged(99)));
            assertFalse(p.matches(tagged(200)));
            assertFalse(p.matches(tagged(6)));
        }

        @Test
        void untaggedMatchesOnlyFramesWithoutATag() {
            RuleProbe p = RuleProbe.oneRule("vlan: untagged");
            assertTrue(p.matches(untagged()));
            assertFalse(p.matches(tagged(0)), "a priority tag (VID 0) is a tag");
            assertFalse(p.matches(tagged(10)));
            assertEquals(-1, p.firstWithOutOfBandTag(untagged(), 0x8100, 10));
        }

        @Test
        void matchesTheTagTheKernelStripped() {
            RuleProbe p = RuleProbe.oneRule("vlan: 150");
            assertEquals(0, p.firstWithOutOfBandTag(untagged(), 0x8100, (3 << 13) | 150));
            assertEquals(-1, p.firstWithOutOfBandTag(untagged(), 0x8100, 151));
        }

        @Test
        void matchesTheOuterTagOfQinQ() {
            byte[] qinq = eth().vlan(0x88a8, 300).vlan(0x8100, 10).udp("10.8.1.5", "10.8.0.10", 1, 2).build();
            assertTrue(RuleProbe.oneRule("vlan: 300").matches(qinq));
            assertFalse(RuleProbe.oneRule("vlan: 10").matches(qinq));
        }
    }

    @Nested
    class InnerVlan {
        private final byte[] qinq = eth().vlan(0x88a8, 300).vlan(0x8100, 10).udp("10.8.1.5", "10.8.0.10", 1, 2).build();

        @Test
        void matchesTheInnerTagOfQinQ() {
            assertTrue(RuleProbe.oneRule("inner_vlan: 10").matches(qinq));
            assertFalse(RuleProbe.oneRule("inner_vlan: 300").matches(qinq));
        }

        @Test
        void matchesAnInFrameTagBehindAStrippedOuterTag() {
            byte[] customer = eth().vlan(0x8100, 10).udp("10.8.1.5", "10.8.0.10", 1, 2).build();
            RuleProbe p = RuleProbe.oneRule("vlan: 300, inner_vlan: 1-10");
            assertEquals(0, p.firstWithOutOfBandTag(customer, 0x88a8, 300));
            assertEquals(-1, p.firstWithOutOfBandTag(customer, 0x88a8, 301));
        }

        @Test
        void untaggedMatchesOnlyUntaggedFrames() {
            RuleProbe p = RuleProbe.oneRule("inner_vlan: untagged");
            assertTrue(p.matches(untagged()));
            assertFalse(p.matches(qinq));
        }
    }

    @Nested
    class EtherType {
        @Test
        void namesMatchTheirEtherType() {
            assertTrue(RuleProbe.oneRule("ethertype: arp").matches(arp()));
            assertFalse(RuleProbe.oneRule("ethertype: arp").matches(untagged()));
            assertTrue(RuleProbe.oneRule("ethertype: ipv4").matches(untagged()));
            assertFalse(RuleProbe.oneRule("ethertype: ipv6").matches(untagged()));
        }

        @Test
        void hexAndDecimalNumbersMatch() {
            assertTrue(RuleProbe.oneRule("ethertype: 0x0806").matches(arp()));
            assertTrue(RuleProbe.oneRule("ethertype: \"0x0806\"").matches(arp()));
            assertTrue(RuleProbe.oneRule("ethertype: 2048").matches(untagged()));
            assertFalse(RuleProbe.oneRule("ethertype: 0x88cc").matches(untagged()));
        }

        @Test
        void matchesTheTypeBehindTheTags() {
            assertTrue(RuleProbe.oneRule("ethertype: ipv4").matches(tagged(10)));
            assertFalse(RuleProbe.oneRule("ethertype: 0x8100").matches(tagged(10)));
        }

        @Test
        void llcMatches8023Frames() {
            byte[] bpdu = FrameBuilder.ethernet().dst("01:80:c2:00:00:00").llc(0x42, 0x42, 3, new byte[35]).build();
            assertTrue(RuleProbe.oneRule("ethertype: llc").matches(bpdu));
            assertFalse(RuleProbe.oneRule("ethertype: llc").matches(arp()));
            assertEquals(FrameView.ETHERTYPE_8023, RuleSetLoader.parse("t", "rules: [{name: r, action: drop,"
                    + " match: {ethertype: LLC}}]").rules().getFirst().match().etherTypes().getFirst());
        }
    }

    @Nested
    class L2Destination {
        private final byte[] unicast = untagged();
        private final byte[] broadcast = eth().broadcast().udp("10.8.1.5", "10.8.255.255", 1, 2).build();
        private final byte[] multicast = eth().dst("01:00:5e:00:00:fb").udp("10.8.1.5", "224.0.0.251", 1, 2).build();

        @Test
        void unicast() {
            RuleProbe p = RuleProbe.oneRule("l2_dst: unicast");
            assertTrue(p.matches(unicast));
            assertFalse(p.matches(broadcast));
            assertFalse(p.matches(multicast));
        }

        @Test
        void broadcastIsOnlyAllOnes() {
            RuleProbe p = RuleProbe.oneRule("l2_dst: broadcast");
            assertTrue(p.matches(broadcast));
            assertFalse(p.matches(multicast));
            assertFalse(p.matches(unicast));
        }

        @Test
        void multicastIsAnyOtherGroupAddress() {
            RuleProbe p = RuleProbe.oneRule("l2_dst: multicast");
            assertTrue(p.matches(multicast));
            assertTrue(p.matches(eth().dst("33:33:00:00:00:01").raw(0x86dd, new byte[40]).build()));
            assertFalse(p.matches(broadcast));
            assertFalse(p.matches(unicast));
        }

        @Test
        void appliesToNonIpFramesToo() {
            assertTrue(RuleProbe.oneRule("l2_dst: broadcast").matches(arp()));
        }
    }

    @Nested
    class Ipv4Addresses {
        @Test
        void sourcePrefixes() {
            RuleProbe p = RuleProbe.oneRule("ipv4_src: [10.8.0.0/16, 192.168.7.7]");
            assertTrue(p.matches(eth().udp("10.8.200.1", "10.9.0.1", 1, 2).build()));
            assertTrue(p.matches(eth().udp("192.168.7.7", "10.9.0.1", 1, 2).build()));
            assertFalse(p.matches(eth().udp("192.168.7.8", "10.9.0.1", 1, 2).build()));
            assertFalse(p.matches(eth().udp("10.9.0.1", "10.8.0.1", 1, 2).build()), "destination is not source");
        }

        @Test
        void destinationPrefixes() {
            RuleProbe p = RuleProbe.oneRule("ipv4_dst: 10.8.0.0/16");
            assertTrue(p.matches(eth().udp("10.9.0.1", "10.8.3.4", 1, 2).build()));
            assertFalse(p.matches(eth().udp("10.8.3.4", "10.9.0.1", 1, 2).build()));
        }

        @Test
        void zeroLengthPrefixMatchesEveryIpv4PacketButNothingElse() {
            RuleProbe p = RuleProbe.oneRule("ipv4_dst: 0.0.0.0/0");
            assertTrue(p.matches(untagged()));
            assertFalse(p.matches(arp()), "ARP's target IP is not an IPv4 destination");
        }
    }

    @Nested
    class Ipv4DestinationClass {
        private static final String SUBNETS = "10.8.0.0/16, 10.20.4.0/22";

        private boolean matches(String word, String dst) {
            return RuleProbe.oneRule(SUBNETS, "ipv4_dst_class: " + word).matches(udp(dst, 9));
        }

        @Test
        void limitedBroadcast() {
            assertTrue(matches("limited-broadcast", "255.255.255.255"));
            assertFalse(matches("limited-broadcast", "10.8.255.255"));
        }

        @Test
        void directedBroadcastOfDeclaredSubnets() {
            assertTrue(matches("directed-broadcast", "10.8.255.255"));
            assertTrue(matches("directed-broadcast", "10.20.7.255"));
            assertFalse(matches("directed-broadcast", "10.9.255.255"), "not a declared subnet");
            assertFalse(matches("directed-broadcast", "10.20.5.255"), "inside the /22");
        }

        @Test
        void allOnesHostCatchesWhatNoDeclaredSubnetExplains() {
            assertTrue(matches("all-ones-host", "10.20.5.255"));
            assertTrue(matches("all-ones-host", "172.16.3.255"));
            assertFalse(matches("all-ones-host", "10.8.255.255"), "that one is directed");
            assertFalse(matches("all-ones-host", "172.16.3.254"));
        }

        @Test
        void multicast() {
            assertTrue(matches("multicast", "239.255.255.250"));
            assertTrue(matches("multicast", "224.0.0.1"));
            assertFalse(matches("multicast", "255.255.255.255"));
        }

        @Test
        void unicast() {
            assertTrue(matches("unicast", "10.8.0.10"));
            assertFalse(matches("unicast", "10.8.0.255"));
        }

        @Test
        void broadcastIsTheThreeBroadcastKinds() {
            assertTrue(matches("broadcast", "255.255.255.255"));
            assertTrue(matches("broadcast", "10.20.7.255"));
            assertTrue(matches("broadcast", "172.16.3.255"));
            assertFalse(matches("broadcast", "224.0.0.1"));
            assertFalse(matches("broadcast", "10.8.0.10"));
        }

        @Test
        void withoutSubnetsADirectedBroadcastNotEndingIn255IsUnicast() {
            RuleProbe p = RuleProbe.oneRule("ipv4_dst_class: broadcast");
            assertFalse(p.matches(udp("10.20.7.127", 9)));
            assertTrue(p.matches(udp("10.20.7.255", 9)));
        }

        @Test
        void neverMatchesNonIpv4Frames() {
            assertFalse(RuleProbe.oneRule("ipv4_dst_class: [broadcast, multicast, unicast]").matches(arp()));
        }
    }

    @Nested
    class IpProtocol {
        @Test
        void namesAndNumbers() {
            assertTrue(RuleProbe.oneRule("ip_protocol: udp").matches(untagged()));
            assertFalse(RuleProbe.oneRule("ip_protocol: tcp").matches(untagged()));
            assertTrue(RuleProbe.oneRule("ip_protocol: 17").matches(untagged()));
            byte[] gre = eth().ipv4("10.8.1.5", "10.8.0.1").protocol(47).payload(8).build();
            assertTrue(RuleProbe.oneRule("ip_protocol: [icmp, 47]").matches(gre));
            byte[] igmp = eth().ipv4("10.8.1.5", "224.0.0.22").protocol(Ipv4.PROTOCOL_IGMP).payload(8).build();
            assertTrue(RuleProbe.oneRule("ip_protocol: IGMP").matches(igmp));
            assertFalse(RuleProbe.oneRule("ip_protocol: icmp").matches(igmp));
        }

        @Test
        void neverMatchesNonIpv4Frames() {
            assertFalse(RuleProbe.oneRule("ip_protocol: [0, udp]").matches(arp()));
        }
    }

    @Nested
    class Ports {
        @Test
        void destinationPortsAndRanges() {
            RuleProbe p = RuleProbe.oneRule("dst_port: [53, 1000-2000]");
            assertTrue(p.matches(udp("10.8.0.1", 53)));
            assertTrue(p.matches(udp("10.8.0.1", 1000)));
            assertTrue(p.matches(udp("10.8.0.1", 2000)));
            assertFalse(p.matches(udp("10.8.0.1", 2001)));
            assertFalse(p.matches(udp("10.8.0.1", 54)));
            assertTrue(p.matches(eth().tcp("10.8.1.5", "10.8.0.1", 40000, 1500).build()), "TCP too");
        }

        @Test
        void sourcePorts() {
            RuleProbe p = RuleProbe.oneRule("src_port: 67-68");
            assertTrue(p.matches(eth().udp("10.8.0.1", "10.8.1.5", 67, 68).build()));
            assertFalse(p.matches(eth().udp("10.8.0.1", "10.8.1.5", 69, 68).build()));
        }

        @Test
        void neverMatchFramesWithoutPorts() {
            RuleProbe p = RuleProbe.oneRule("dst_port: 0-65535");
            assertTrue(p.matches(udp("10.8.0.1", 0)));
            assertFalse(p.matches(eth().ipv4("10.8.1.5", "10.8.0.1").protocol(47).payload(8).build()), "GRE");
            assertFalse(p.matches(arp()));
            byte[] later = eth().udp("10.8.1.5", "10.8.0.1", 1, 2).laterFragment(100, true).payload(64).build();
            assertFalse(p.matches(later), "later fragments carry no ports");
        }
    }

    @Nested
    class Nlb {
        private byte[] to(long mac) {
            return eth().dst(mac).udp("10.8.1.5", "10.8.0.50", 40000, 80).build();
        }

        @Test
        void eachNlbForm() {
            int cluster = Ipv4.parse("10.8.0.50");
            assertTrue(RuleProbe.oneRule("nlb: unicast").matches(to(org.quietbridge.frame.NlbMac.unicastMac(cluster))));
            assertTrue(RuleProbe.oneRule("nlb: multicast").matches(to(org.quietbridge.frame.NlbMac.multicastMac(cluster))));
            assertTrue(RuleProbe.oneRule("nlb: igmp").matches(to(org.quietbridge.frame.NlbMac.igmpMac(cluster))));
            assertFalse(RuleProbe.oneRule("nlb: unicast").matches(to(org.quietbridge.frame.NlbMac.multicastMac(cluster))));
        }

        @Test
        void ordinaryMacsAreNotNlb() {
            assertFalse(RuleProbe.oneRule("nlb: [unicast, multicast, igmp]").matches(untagged()));
        }
    }

    @Nested
    class FragmentPosition {
        private final byte[] whole = udp("10.8.0.1", 9);
        private final byte[] first = eth().udp("10.8.1.5", "10.8.0.1", 1, 9).firstFragment().payload(64).build();
        private final byte[] later = eth().udp("10.8.1.5", "10.8.0.1", 1, 9).laterFragment(9, false).payload(64).build();

        @Test
        void unfragmented() {
            RuleProbe p = RuleProbe.oneRule("fragment: unfragmented");
            assertTrue(p.matches(whole));
            assertFalse(p.matches(first));
            assertFalse(p.matches(later));
        }

        @Test
        void firstAndLater() {
            RuleProbe p = RuleProbe.oneRule("fragment: [first, later]");
            assertFalse(p.matches(whole));
            assertTrue(p.matches(first));
            assertTrue(p.matches(later));
            assertFalse(RuleProbe.oneRule("fragment: first").matches(later));
        }

        @Test
        void neverMatchesNonIpv4Frames() {
            assertFalse(RuleProbe.oneRule("fragment: unfragmented").matches(arp()));
        }
    }

    @Nested
    class Malformed {
        private final byte[] truncatedIpv4 = eth().udp("10.8.1.5", "10.8.0.1", 1, 9).totalLength(200).build();

        @Test
        void trueMatchesFramesThatDidNotDecode() {
            RuleProbe p = RuleProbe.oneRule("malformed: true");
            assertEquals(0, p.firstMalformed(truncatedIpv4));
            assertEquals(0, p.firstMalformed(new byte[13]));
            assertFalse(p.matches(untagged()));
        }

        @Test
        void falseMatchesFramesThatDecoded() {
            RuleProbe p = RuleProbe.oneRule("malformed: false");
            assertTrue(p.matches(untagged()));
            assertEquals(-1, p.firstMalformed(truncatedIpv4));
        }

        @Test
        void ipv4KeysNeverMatchABrokenIpv4Header() {
            assertEquals(-1, RuleProbe.oneRule("ipv4_dst: 0.0.0.0/0").firstMalformed(truncatedIpv4));
        }
    }
}
