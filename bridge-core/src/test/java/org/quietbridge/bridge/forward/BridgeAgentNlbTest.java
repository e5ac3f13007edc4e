package org.quietbridge.bridge.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.port.MemoryPort;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.NlbMac;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.RuleSetLoader;

/**
 * NLB flood containment in the forwarding agent, over in-memory ports with an injected clock.
 * Port 0 plays the wireless side, port 1 the core side where the cluster lives.
 */
@Timeout(30)
class BridgeAgentNlbTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long AGING = 60 * SECOND;

    private static final String CLUSTER_IP = "10.14.35.247";
    private static final int CLUSTER = Ipv4.parse(CLUSTER_IP);
    private static final long UNICAST = NlbMac.unicastMac(CLUSTER); // 02:bf:0a:0e:23:f7
    private static final long MULTICAST = NlbMac.multicastMac(CLUSTER); // 03:bf:0a:0e:23:f7
    private static final long IGMP = NlbMac.igmpMac(CLUSTER); // 01:00:5e:7f:23:f7
    /** A member's own MAC (the Ethernet source of what it sends) and its masked form 02:P:W:X:Y:Z. */
    private static final String MEMBER = "d8:8d:37:14:59:a8";
    private static final long MASKED_MEMBER = 0x0201_0000_0000L | (CLUSTER & 0xFFFF_FFFFL);
    private static final String CLIENT = "02:00:00:00:00:0a";
    private static final String CLIENT_IP = "10.14.35.232";

    private final List<MemoryPort> ports = new ArrayList<>();
    private long now = 1_000 * SECOND;

    private BridgeAgent bridge(int n, NlbSettings nlb) {
        MemoryPort[] p = new MemoryPort[n];
        for (int i = 0; i < n; i++) {
            p[i] = new MemoryPort("p" + i, 1500);
            ports.add(p[i]);
        }
        BridgeSettings settings = BridgeSettings.defaults().withNlb(nlb);
        return new BridgeAgent(p, settings, CompiledRules.compile(RuleSetLoader.defaults(), null), () -> now);
    }

    private BridgeAgent containing(int n) {
        return bridge(n, contain(64, List.of()));
    }

    private static NlbSettings contain(int maxClusters, List<NlbSettings.StaticCluster> statics) {
        return new NlbSettings(NlbMode.CONTAIN, AGING, maxClusters, statics);
    }

    @AfterEach
    void closePorts() {
        ports.forEach(MemoryPort::close);
    }

    private MemoryPort port(int i) {
        return ports.get(i);
    }

    private int sent(int i) {
        return port(i).takeTransmitted().size();
    }

    private void drain() {
        ports.forEach(MemoryPort::takeTransmitted);
    }

    /** Injects and runs one round. */
    private void inject(BridgeAgent agent, int port, byte[] frame) throws Exception {
        port(port).inject(frame);
        agent.doWork();
    }

    private static byte[] gratuitousArp(String src, String clusterIp) {
        return FrameBuilder.ethernet().src(src).nlbGratuitousArp(clusterIp).build();
    }

    private static byte[] toMac(long dst, String src) {
        return FrameBuilder.ethernet().src(src).dst(dst).tcp(CLIENT_IP, CLUSTER_IP, 50000, 445).payload(64).build();
    }

    /** What a member answers a client with: from the cluster IP, its own MAC as source. */
    private static byte[] fromCluster(String memberMac) {
        return FrameBuilder.ethernet().src(memberMac).dst(CLIENT).tcp(CLUSTER_IP, CLIENT_IP, 445, 50000).payload(64)
                .build();
    }

    private static NlbCluster only(BridgeAgent agent) {
        List<NlbCluster> clusters = agent.nlbClusters();
        assertEquals(1, clusters.size(), clusters.toString());
        return clusters.getFirst();
    }

    private static long ports(int... indexes) {
        long m = 0;
        for (int i : indexes) {
            m |= 1L << i;
        }
        return m;
    }

    // ---- the two-port deployment --------------------------------------------------------------

    @Test
    void keepsCoreSideClusterTrafficOffTheWirelessSideAndStillDeliversWirelessTraffic() throws Exception {
        BridgeAgent agent = containing(2);
        inject(agent, 1, gratuitousArp(MEMBER, CLUSTER_IP));
        assertEquals(1, sent(0), "the gratuitous ARP itself is a broadcast and is flooded");

        byte[] coreToCluster = toMac(UNICAST, "02:00:00:00:00:0c");
        inject(agent, 1, coreToCluster);
        assertEquals(0, sent(0), "cluster traffic from the cluster's own side stops at the bridge");
        assertEquals(1, agent.counter(1, PortCounter.DROP_NLB_CONTAINED));
        assertEquals(1, agent.counter(1, PortCounter.FLOODED), "only the ARP broadcast");

        byte[] wirelessToCluster = toMac(UNICAST, CLIENT);
        inject(agent, 0, wirelessToCluster);
        List<byte[]> out = port(1).takeTransmitted();
        assertEquals(1, out.size());
        assertArrayEquals(wirelessToCluster, out.getFirst());
        assertEquals(0, agent.counter(0, PortCounter.FLOODED));

        NlbCluster c = only(agent);
        assertEquals(CLUSTER, c.ip());
        assertEquals(-1, c.vlan());
        assertEquals(UNICAST, c.mac());
        assertEquals(ports(1), c.memberPorts());
        assertFalse(c.isStatic());
        assertEquals(1, c.contained());
        assertEquals(1, c.forwarded());
        assertEquals(0, c.floodedUnknown());
        assertEquals(0, c.moves());
        assertEquals(NlbMode.CONTAIN, agent.nlbMode());
        assertEquals(1, agent.counter(NlbCounter.CLUSTERS));
        assertEquals(1, agent.counter(NlbCounter.LOCATED));
        assertEquals(1, agent.counter(NlbCounter.LEARNED));
    }

    @Test
    void containsEveryMacFormOfAKnownCluster() throws Exception {
        BridgeAgent agent = containing(2);
        inject(agent, 1, gratuitousArp(MEMBER, CLUSTER_IP));
        drain();
        for (long dst : new long[] {UNICAST, MULTICAST, IGMP}) {
            inject(agent, 1, toMac(dst, MEMBER));
            assertEquals(0, sent(0), Ethernet.formatMac(dst) + " crossed");
            inject(agent, 0, toMac(dst, CLIENT));
            assertEquals(1, sent(1), Ethernet.formatMac(dst) + " did not reach the cluster");
        }
        NlbCluster c = only(agent);
        assertEquals(3, c.contained());
        assertEquals(3, c.forwarded());
        assertEquals(3, agent.counter(1, PortCounter.DROP_NLB_CONTAINED));
        assertEquals(2, agent.counter(0, PortCounter.FORWARDED_BROADCAST_MULTICAST), "03:bf and 01:00:5e are group MACs");
    }

    @Test
    void anIgmpModeMacIsAClusterOnlyWhenAKnownClusterHasItsLowBits() throws Exception {
        BridgeAgent agent = containing(2);
        inject(agent, 1, gratuitousArp(MEMBER, CLUSTER_IP));
        drain();
        byte[] ssdp = FrameBuilder.ethernet().src("02:00:00:00:00:0c").dst("01:00:5e:7f:ff:fa")
                .udp("10.14.35.9", "239.255.255.250", 1900, 1900).payload(100).build();
        inject(agent, 1, ssdp);
        assertEquals(1, sent(0), "SSDP is ordinary multicast while no cluster x.x.255.250 is known");
        assertEquals(1, agent.nlbClusters().size(), "an IGMP-mode MAC never enters a cluster by itself");

        inject(agent, 1, gratuitousArp(MEMBER, "10.14.255.250"));
        drain();
        inject(agent, 1, ssdp);
        assertEquals(0, sent(0), "01:00:5e:7f:ff:fa is now the MAC of cluster 10.14.255.250");
    }

    @Test
    void learnsFromArpRequestsRepliesAndEachClusterMacForm() throws Exception {
        String[] ips = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"};
        long[] senders = {NlbMac.unicastMac(Ipv4.parse(ips[0])), NlbMac.unicastMac(Ipv4.parse(ips[1])),
            NlbMac.multicastMac(Ipv4.parse(ips[2])), NlbMac.igmpMac(Ipv4.parse(ips[3]))};
        int[] operations = {1, 2, 2, 2};
        BridgeAgent agent = containing(3);
        for (int i = 0; i < ips.length; i++) {
            // Request to the broadcast MAC, replies to a client: always from a member's own MAC.
            FrameBuilder b = FrameBuilder.ethernet().src(MEMBER);
            b = operations[i] == 1 ? b.broadcast() : b.dst(CLIENT);
            inject(agent, 2, b.arp(operations[i], senders[i], ips[i], Ethernet.parseMac(CLIENT), "10.0.0.99").build());
        }
        drain();
        for (int i = 0; i < ips.length; i++) {
            long dst = senders[i];
            inject(agent, 2, toMac(dst, MEMBER));
            assertEquals(0, sent(0) + sent(1), ips[i] + " was not located on port 2");
        }
        assertEquals(4, agent.counter(NlbCounter.LOCATED));
        for (NlbCluster c : agent.nlbClusters()) {
            assertEquals(ports(2), c.memberPorts(), c.toString());
        }
    }

    @Test
    void arpWhoseSenderMacIsAnotherClustersIsNoEvidence() throws Exception {
        BridgeAgent agent = containing(2);
        // Sender MAC 02:bf:0a:0e:23:f7 but sender IP 10.0.0.5: not how NLB answers for either IP.
        inject(agent, 1, FrameBuilder.ethernet().src(MEMBER).broadcast().arp(2, UNICAST, "10.0.0.5", 0, "10.0.0.5")
                .build());
        assertEquals(List.of(), agent.nlbClusters());
    }

    @Test
    void locatesAClusterFirstSeenAsADestinationByTheReplyFromItsIp() throws Exception {
        BridgeAgent agent = containing(2);
        inject(agent, 0, toMac(UNICAST, CLIENT));
        assertEquals(1, sent(1), "unknown location: flooded as before");
        NlbCluster unknown = only(agent);
        assertEquals(0, unknown.memberPorts());
        assertEquals(1, unknown.floodedUnknown());
        assertEquals(1, agent.counter(0, PortCounter.FLOODED));

        inject(agent, 1, fromCluster(MEMBER)); // the member answers from the cluster IP
        drain();
        inject(agent, 1, toMac(UNICAST, "02:00:00:00:00:0c"));
        assertEquals(0, sent(0));
        NlbCluster c = only(agent);
        assertEquals(ports(1), c.memberPorts());
        assertEquals(1, c.contained());
        assertEquals(1, c.floodedUnknown());
        assertEquals(0, c.moves(), "locating an unknown cluster is not a move");
    }

    @Test
    void ipv4FromAnUnknownAddressEntersNoCluster() throws Exception {
        BridgeAgent agent = containing(2);
        inject(agent, 1, fromCluster(MEMBER));
        assertEquals(List.of(), agent.nlbClusters());
    }

    @Test
    void locatesAClusterByItsMembersMaskedSourceMac() throws Exception {
        BridgeAgent agent = containing(2);
        inject(agent, 0, toMac(UNICAST, CLIENT)); // the cluster enters the table, location unknown
        // NLB heartbeat (EtherType 0x886f) from a member's masked MAC 02:01:0a:0e:23:f7.
        inject(agent, 1, FrameBuilder.ethernet().src(MASKED_MEMBER).dst(UNICAST).raw(0x886F, new byte[46]).build());
        assertEquals(ports(1), only(agent).memberPorts());
        assertEquals(0, sent(0), "the heartbeat itself stays on the cluster's side");
    }

    // ---- static clusters ----------------------------------------------------------------------

    @Test
    void staticClustersContainWithoutEvidenceNeverAgeAndDoNotMove() throws Exception {
        NlbSettings.StaticCluster byIp = new NlbSettings.StaticCluster(CLUSTER, -1, UNICAST, ports(1));
        BridgeAgent agent = bridge(3, contain(64, List.of(byIp)));
        now += 100 * AGING;
        inject(agent, 1, toMac(UNICAST, MEMBER));
        assertEquals(0, sent(0) + sent(2));

        // Evidence on another port (the ARP and its masked member source: one frame, counted once).
        inject(agent, 2, FrameBuilder.ethernet().src(MASKED_MEMBER).nlbGratuitousArp(CLUSTER_IP).build());
        drain();
        inject(agent, 0, toMac(UNICAST, CLIENT));
        assertEquals(1, sent(1));
        assertEquals(0, sent(2));
        assertEquals(1, agent.counter(NlbCounter.STATIC_CONFLICT));
        NlbCluster c = only(agent);
        assertTrue(c.isStatic());
        assertEquals(ports(1), c.memberPorts());
        assertEquals(0, c.moves());
    }

    // ---- aging --------------------------------------------------------------------------------

    @Test
    void learnedLocationsAgeOutUnlessRefreshed() throws Exception {
        BridgeAgent agent = containing(2);
        inject(agent, 1, gratuitousArp(MEMBER, CLUSTER_IP));
        drain();

        now += AGING - SECOND;
        inject(agent, 1, fromCluster(MEMBER)); // refresh just before it would age
        drain();
        now += AGING - SECOND;
        inject(agent, 1, toMac(UNICAST, MEMBER));
        assertEquals(0, sent(0), "refreshed: still contained " + (2 * AGING - 2 * SECOND) / SECOND + " s after the ARP");

        now += AGING + SECOND; // no evidence for longer than the aging time
        inject(agent, 1, toMac(UNICAST, MEMBER));
        assertEquals(1, sent(0), "aged out: flooded as before");
        NlbCluster c = only(agent);
        assertEquals(0, c.memberPorts(), "the sweep cleared the aged port");
        assertEquals(1, c.floodedUnknown());
        assertEquals(1, c.contained());
        assertEquals(1, agent.counter(NlbCounter.AGED));
        assertEquals(0, agent.counter(NlbCounter.LOCATED));
        assertEquals(1, agent.counter(NlbCounter.CLUSTERS), "an aged cluster keeps its entry and counters");

        inject(agent, 1, fromCluster(MEMBER)); // located again
        drain();
        inject(agent, 1, toMac(UNICAST, MEMBER));
        assertEquals(0, sent(0));
    }

    // ---- N ports ------------------------------------------------------------------------------

    @Test
    void aClusterSpanningTwoPortsOfThreeGetsItsFramesOnlyThere() throws Exception {
        BridgeAgent agent = containing(3);
        inject(agent, 1, gratuitousArp(MEMBER, CLUSTER_IP));
        inject(agent, 2, fromCluster("d8:8d:37:14:59:a9")); // a second member, behind port 2
        drain();

        inject(agent, 0, toMac(UNICAST, CLIENT));
        assertEquals(1, sent(1));
        assertEquals(1, sent(2));
        inject(agent, 1, toMac(UNICAST, MEMBER));
        assertEquals(0, sent(0), "never to a non-member port");
        assertEquals(0, sent(1), "never back out of the ingress port");
        assertEquals(1, sent(2));
        inject(agent, 2, toMac(MULTICAST, "d8:8d:37:14:59:a9"));
        assertEquals(0, sent(0));
        assertEquals(1, sent(1));
        assertEquals(0, sent(2));

        NlbCluster c = only(agent);
        assertEquals(ports(1, 2), c.memberPorts());
        assertEquals(3, c.forwarded());
        assertEquals(0, c.contained());
        assertEquals(1, c.moves(), "the second port joined a located cluster");
    }

    @Test
    void aMovedClusterKeepsItsOldPortUntilThatAgesOut() throws Exception {
        BridgeAgent agent = containing(3);
        inject(agent, 1, gratuitousArp(MEMBER, CLUSTER_IP));
        now += 10 * SECOND;
        inject(agent, 2, gratuitousArp(MEMBER, CLUSTER_IP)); // the cluster now answers from port 2
        drain();
        assertEquals(1, only(agent).moves());

        inject(agent, 0, toMac(UNICAST, CLIENT));
        assertEquals(1, sent(1), "the old port still gets copies while it may hold members");
        assertEquals(1, sent(2));

        now += AGING - 5 * SECOND; // port 1 is now older than the aging time, port 2 is not
        inject(agent, 0, toMac(UNICAST, CLIENT));
        assertEquals(0, sent(1));
        assertEquals(1, sent(2));
        assertEquals(ports(2), only(agent).memberPorts());
    }

    // ---- unknown clusters, limits, modes ------------------------------------------------------

    @Test
    void anUnknownClusterIsFloodedAndCountedAsSuch() throws Exception {
        BridgeAgent agent = containing(3);
        for (int i = 0; i < 3; i++) {
            inject(agent, 0, toMac(UNICAST, CLIENT));
        }
        assertEquals(3, sent(1));
        assertEquals(3, sent(2));
        NlbCluster c = only(agent);
        assertEquals(3, c.floodedUnknown());
        assertEquals(0, c.contained() + c.forwarded());
        assertEquals(3, agent.counter(0, PortCounter.FLOODED));
    }

    @Test
    void aFullTableLearnsNoNewClusterAndCountsIt() throws Exception {
        BridgeAgent agent = bridge(2, contain(2, List.of()));
        inject(agent, 1, gratuitousArp(MEMBER, "10.0.0.1"));
        inject(agent, 1, gratuitousArp(MEMBER, "10.0.0.2"));
        inject(agent, 1, gratuitousArp(MEMBER, "10.0.0.3"));
        drain();
        assertEquals(2, agent.nlbClusters().size());
        assertEquals(1, agent.counter(NlbCounter.TABLE_FULL));

        inject(agent, 1, toMac(NlbMac.unicastMac(Ipv4.parse("10.0.0.3")), MEMBER));
        assertEquals(1, sent(0), "the untracked cluster floods as before");
        assertEquals(1, agent.counter(NlbCounter.FLOODED_UNTRACKED));
        assertEquals(2, agent.counter(NlbCounter.TABLE_FULL));
        inject(agent, 1, toMac(NlbMac.unicastMac(Ipv4.parse("10.0.0.2")), MEMBER));
        assertEquals(0, sent(0), "the clusters in the table stay contained");
    }

    @Test
    void locationEvidenceReclaimsAClusterOfUnknownLocation() throws Exception {
        BridgeAgent agent = bridge(2, contain(1, List.of()));
        inject(agent, 0, toMac(NlbMac.unicastMac(Ipv4.parse("10.0.0.9")), CLIENT)); // fills the table, unlocated
        inject(agent, 1, gratuitousArp(MEMBER, CLUSTER_IP));
        NlbCluster c = only(agent);
        assertEquals(CLUSTER, c.ip());
        assertEquals(1, agent.counter(NlbCounter.RECLAIMED));

        // A mere destination does not push out a located cluster.
        inject(agent, 0, toMac(NlbMac.unicastMac(Ipv4.parse("10.0.0.9")), CLIENT));
        assertEquals(CLUSTER, only(agent).ip());
        assertEquals(1, agent.counter(NlbCounter.FLOODED_UNTRACKED));
    }

    @Test
    void modeOffForwardsClusterTrafficAsBefore() throws Exception {
        BridgeAgent agent = bridge(2, NlbSettings.off(AGING));
        inject(agent, 1, gratuitousArp(MEMBER, CLUSTER_IP));
        drain();
        inject(agent, 1, toMac(UNICAST, "02:00:00:00:00:0c"));
        inject(agent, 1, toMac(MULTICAST, "02:00:00:00:00:0c"));
        assertEquals(2, sent(0));
        assertEquals(NlbMode.OFF, agent.nlbMode());
        assertEquals(List.of(), agent.nlbClusters());
        assertEquals(0, agent.counter(1, PortCounter.DROP_NLB_CONTAINED));
        assertEquals(3, agent.counter(1, PortCounter.FLOODED), "the ARP broadcast and both cluster frames");
    }

    @Test
    void monitorModeForwardsAsBeforeAndCountsWhatContainmentWouldDo() throws Exception {
        BridgeAgent agent = bridge(2, new NlbSettings(NlbMode.MONITOR, AGING, 64, List.of()));
        inject(agent, 1, gratuitousArp(MEMBER, CLUSTER_IP));
        drain();
        inject(agent, 1, toMac(UNICAST, "02:00:00:00:00:0c"));
        assertEquals(1, sent(0), "monitor never keeps a frame back");
        inject(agent, 0, toMac(UNICAST, CLIENT));
        assertEquals(1, sent(1));
        NlbCluster c = only(agent);
        assertEquals(1, c.contained(), "would have been contained");
        assertEquals(1, c.forwarded());
        assertEquals(0, agent.counter(1, PortCounter.DROP_NLB_CONTAINED));
        assertEquals(NlbMode.MONITOR, agent.nlbMode());
    }

    @Test
    void clustersAreLearnedPerVlan() throws Exception {
        BridgeAgent agent = containing(2);
        port(1).inject(gratuitousArp(MEMBER, CLUSTER_IP), 0x8100, 10);
        agent.doWork();
        drain();
        port(1).inject(toMac(UNICAST, MEMBER), 0x8100, 10);
        agent.doWork();
        assertEquals(0, sent(0), "contained on VLAN 10");
        inject(agent, 1, toMac(UNICAST, MEMBER));
        assertEquals(1, sent(0), "untagged, the same MAC is another cluster of unknown location");
        port(1).inject(toMac(UNICAST, MEMBER), 0x8100, 20);
        agent.doWork();
        assertEquals(1, sent(0), "and on VLAN 20 too");
        assertEquals(3, agent.nlbClusters().size());
    }

    @Test
    void ruleDroppedFramesStillLocateACluster() throws Exception {
        BridgeAgent agent = containing(2);
        inject(agent, 0, toMac(UNICAST, CLIENT));
        // A NetBIOS broadcast from the cluster IP: the default rules drop it, its source still counts.
        inject(agent, 1, FrameBuilder.ethernet().src(MEMBER).broadcast().udp(CLUSTER_IP, "10.14.35.255", 137, 137)
                .payload(50).build());
        assertEquals(1, agent.counter(1, PortCounter.DROP_RULE));
        assertEquals(ports(1), only(agent).memberPorts());
    }
}
