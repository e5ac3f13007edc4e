package org.quietbridge.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.quietbridge.frame.testing.FrameBuilder;

/**
 * The shipped default rule set against byte-exact frames: it drops what Princeton OIT's filter
 * drops (NetBIOS name and datagram service to broadcast and multicast destinations) and passes
 * what must keep working (docs/ARCHITECTURE.md, "What the NetBIOS filter must match").
 */
class NetbiosDefaultRulesTest {
    private static final String CLIENT = "00:11:22:33:44:55";
    private static final String SERVER = "00:aa:bb:cc:dd:ee";
    private static final int L2 = 0;
    private static final int L3 = 1;
    private static final int NO_RULE = -1;

    /** Defaults (no rules: key) with the campus subnet 10.8.0.0/16 declared. */
    private final RuleProbe probe = RuleProbe.of("subnets: [10.8.0.0/16]\n");

    private static FrameBuilder fromClient() {
        return FrameBuilder.ethernet().src(CLIENT);
    }

    private static byte[] nameQueryBroadcast() {
        return fromClient().broadcast().udp("10.8.1.5", "255.255.255.255", 137, 137).payload(50).build();
    }

    // ---- dropped ---------------------------------------------------------------------------

    @Test
    void defaultRuleSetIsTheTwoOitRules() {
        CompiledRules rules = probe.rules;
        assertEquals(2, rules.size());
        assertEquals("  1 netbios-broadcast-l2   drop   udp dst_port 137-138 l2_dst broadcast,multicast",
                rules.describe(0));
        assertEquals("  2 netbios-broadcast-l3   drop   udp dst_port 137-138 ipv4_dst_class broadcast,multicast",
                rules.describe(1));
        assertTrue(rules.ruleSet().defaultRules());
    }

    @Test
    void dropsNameServiceBroadcastToLimitedBroadcast() {
        assertEquals(L2, probe.first(nameQueryBroadcast()));
        assertTrue(probe.drops(nameQueryBroadcast()));
    }

    @Test
    void dropsLimitedBroadcastEvenInAUnicastFrame() {
        byte[] f = fromClient().dst(SERVER).udp("10.8.1.5", "255.255.255.255", 137, 137).payload(50).build();
        assertEquals(L3, probe.first(f));
    }

    @Test
    void dropsDatagramServiceToDirectedBroadcastOfAConfiguredSubnet() {
        byte[] inBroadcastFrame = fromClient().broadcast().udp("10.8.1.5", "10.8.255.255", 138, 138).payload(80).build();
        byte[] inUnicastFrame = fromClient().dst(SERVER).udp("10.8.1.5", "10.8.255.255", 138, 138).payload(80).build();
        assertEquals(L2, probe.first(inBroadcastFrame));
        assertEquals(L3, probe.first(inUnicastFrame));
    }

    @Test
    void directedBroadcastOfAConfiguredSubnetNotEndingIn255IsDropped() {
        RuleProbe slash22 = RuleProbe.of("subnets: [10.20.4.0/22]\n");
        byte[] f = fromClient().dst(SERVER).udp("10.20.4.9", "10.20.7.255", 138, 138).payload(10).build();
        assertEquals(L3, slash22.first(f));
        byte[] notABroadcast = fromClient().dst(SERVER).udp("10.20.4.9", "10.20.5.127", 138, 138).payload(10).build();
        assertEquals(NO_RULE, slash22.first(notABroadcast));
    }

    @Test
    void dropsConfusedClientBroadcastToAllOnesHostOfAnotherSubnet() {
        // A client configured for the wrong /24 sends to x.y.z.255 in a unicast frame.
        byte[] f = fromClient().dst(SERVER).udp("10.8.1.5", "192.168.1.255", 137, 137).payload(50).build();
        assertEquals(L3, probe.first(f));
    }

    @Test
    void dropsNetbiosToLinkLocalMulticast() {
        byte[] f = fromClient().dst("01:00:5e:00:00:01").udp("10.8.1.5", "224.0.0.1", 137, 137).payload(50).build();
        assertEquals(L2, probe.first(f));
    }

    @Test
    void dropsNetbiosToMulticastIpInAUnicastFrame() {
        byte[] f = fromClient().dst(SERVER).udp("10.8.1.5", "224.0.0.9", 138, 138).payload(50).build();
        assertEquals(L3, probe.first(f));
    }

    @Test
    void dropsNetbiosToUnicastIpInABroadcastFrame() {
        byte[] f = fromClient().broadcast().udp("10.8.1.5", "10.8.1.77", 137, 137).payload(50).build();
        assertEquals(L2, probe.first(f));
    }

    @Test
    void dropsNetbiosBroadcastInside8021Q() {
        byte[] f = fromClient().broadcast().vlan(0x8100, 150).udp("10.8.1.5", "10.8.255.255", 138, 138).payload(80)
                .build();
        assertTrue(probe.drops(f));
    }

    @Test
    void dropsNetbiosBroadcastInsideQinQ() {
        byte[] f = fromClient().broadcast().vlan(0x88a8, 300).vlan(0x8100, 150)
                .udp("10.8.1.5", "255.255.255.255", 137, 137).payload(50).build();
        assertTrue(probe.drops(f));
    }

    @Test
    void dropsNetbiosBroadcastWhoseTagTheKernelStripped() {
        assertEquals(L2, probe.firstWithOutOfBandTag(nameQueryBroadcast(), 0x8100, (5 << 13) | 150));
    }

    @Test
    void dropsFirstFragmentOfANetbiosBroadcastBecauseItCarriesThePorts() {
        byte[] f = fromClient().broadcast().udp("10.8.1.5", "10.8.255.255", 138, 138).firstFragment().payload(1472)
                .build();
        assertTrue(probe.drops(f));
    }

    // ---- passed ----------------------------------------------------------------------------

    @Test
    void passesUnicastNetbiosNameDatagramSessionAndSmb() {
        assertEquals(NO_RULE, probe.first(fromClient().dst(SERVER).udp("10.8.1.5", "10.8.0.10", 137, 137).payload(50)
                .build()));
        assertEquals(NO_RULE, probe.first(fromClient().dst(SERVER).udp("10.8.1.5", "10.8.0.10", 138, 138).payload(50)
                .build()));
        assertEquals(NO_RULE, probe.first(fromClient().dst(SERVER).tcp("10.8.1.5", "10.8.0.10", 50000, 139).payload(50)
                .build()));
        assertEquals(NO_RULE, probe.first(fromClient().dst(SERVER).tcp("10.8.1.5", "10.8.0.10", 50001, 445).payload(50)
                .build()));
    }

    @Test
    void passesNetbiosOverTcpEvenToABroadcastAddress() {
        // The filter names UDP 137/138 only; TCP 139 is session service and never broadcast.
        byte[] f = fromClient().broadcast().tcp("10.8.1.5", "10.8.255.255", 50000, 139).build();
        assertEquals(NO_RULE, probe.first(f));
    }

    @Test
    void passesDhcpDiscoverAndOfferBroadcasts() {
        byte[] discover = fromClient().broadcast().udp("0.0.0.0", "255.255.255.255", 68, 67).payload(300).build();
        byte[] offer = FrameBuilder.ethernet().src(SERVER).broadcast().udp("10.8.0.1", "255.255.255.255", 67, 68)
                .payload(300).build();
        assertEquals(NO_RULE, probe.first(discover));
        assertEquals(NO_RULE, probe.first(offer));
    }

    @Test
    void passesArpBroadcast() {
        byte[] f = fromClient().broadcast().arp(1, 0x0011_2233_4455L, "10.8.1.5", 0, "10.8.0.1").padTo(60).build();
        assertEquals(NO_RULE, probe.first(f));
    }

    @Test
    void passesMdns() {
        byte[] f = fromClient().dst("01:00:5e:00:00:fb").udp("10.8.1.5", "224.0.0.251", 5353, 5353).payload(40).build();
        assertEquals(NO_RULE, probe.first(f));
    }

    @Test
    void passesLlmnr() {
        byte[] f = fromClient().dst("01:00:5e:00:00:fc").udp("10.8.1.5", "224.0.0.252", 50123, 5355).payload(40).build();
        assertEquals(NO_RULE, probe.first(f));
    }

    @Test
    void passesSsdp() {
        byte[] f = fromClient().dst("01:00:5e:7f:ff:fa").udp("10.8.1.5", "239.255.255.250", 50124, 1900).payload(120)
                .build();
        assertEquals(NO_RULE, probe.first(f));
    }

    @Test
    void passesWsDiscovery() {
        byte[] f = fromClient().dst("01:00:5e:7f:ff:fa").udp("10.8.1.5", "239.255.255.250", 50125, 3702).payload(400)
                .build();
        assertEquals(NO_RULE, probe.first(f));
    }

    @Test
    void passesIpv6NeighbourSolicitation() {
        byte[] src = new byte[16];
        src[0] = (byte) 0xfe;
        src[1] = (byte) 0x80;
        src[15] = 5;
        byte[] dst = {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, (byte) 0xff, 0, 0, 1};
        byte[] icmpv6 = new byte[24];
        icmpv6[0] = (byte) 135; // Neighbor Solicitation (RFC 4861)
        byte[] f = fromClient().dst("33:33:ff:00:00:01").ipv6(58, src, dst, icmpv6).build();
        assertEquals(NO_RULE, probe.first(f));
    }

    @Test
    void passesSpanningTreeBpdu() {
        byte[] f = FrameBuilder.ethernet().src(CLIENT).dst("01:80:c2:00:00:00").llc(0x42, 0x42, 0x03, new byte[35])
                .padTo(60).build();
        assertEquals(NO_RULE, probe.first(f));
    }

    /**
     * A later fragment has no UDP header, so no port rule can name it: the later fragments of
     * a NetBIOS broadcast too big for one frame pass. A rule with {@code fragment: later} and a
     * broadcast destination catches them (and every other later fragment to that destination).
     */
    @Test
    void passesLaterFragmentOfANetbiosBroadcastUnlessAFragmentRuleNamesIt() {
        byte[] later = fromClient().broadcast().udp("10.8.1.5", "10.8.255.255", 138, 138).laterFragment(185, false)
                .payload(200).build();
        assertEquals(NO_RULE, probe.first(later));

        RuleProbe withFragments = RuleProbe.of("""
                rules:
                  - name: broadcast-later-fragments
                    match: {fragment: later, l2_dst: [broadcast, multicast]}
                    action: drop
                """);
        assertTrue(withFragments.drops(later));
        assertFalse(withFragments.drops(nameQueryBroadcast()));
    }

    // ---- mode ------------------------------------------------------------------------------

    @Test
    void monitorModeNeverDropsButCountsWhatItWouldDrop() {
        RuleProbe monitor = RuleProbe.of(RuleSetLoader.parse("m.yaml", "mode: monitor\n"));
        byte[] f = nameQueryBroadcast();
        for (int i = 0; i < 3; i++) {
            assertEquals(L2, monitor.first(f));
        }
        assertFalse(monitor.rules.drops(L2));
        assertEquals(Action.DROP, monitor.rules.action(L2));
        assertEquals(Action.COUNT, monitor.rules.effectiveAction(L2));
        assertEquals(3, monitor.rules.hits(L2));
        assertEquals(Mode.MONITOR, monitor.rules.mode());
    }
}
