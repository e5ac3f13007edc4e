package org.quietbridge.bridge.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.port.MemoryPort;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.Malformation;
import org.quietbridge.frame.VlanTag;
import org.quietbridge.frame.testing.Checksums;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.Mode;
import org.quietbridge.rules.RuleSetLoader;

@Timeout(30)
class BridgeAgentTest {
    private static final String A = "02:00:00:00:00:0a";
    private static final String B = "02:00:00:00:00:0b";
    private static final String C = "02:00:00:00:00:0c";

    private final List<MemoryPort> ports = new ArrayList<>();
    private long now = 1_000_000_000L;

    private BridgeAgent bridge(int n, BridgeSettings settings, CompiledRules rules) {
        MemoryPort[] p = new MemoryPort[n];
        for (int i = 0; i < n; i++) {
            p[i] = new MemoryPort("p" + i, 1500);
            ports.add(p[i]);
        }
        return new BridgeAgent(p, settings, rules, () -> now);
    }

    private BridgeAgent bridge(int n) {
        return bridge(n, BridgeSettings.defaults(), defaultRules(Mode.ENFORCE));
    }

    private static CompiledRules defaultRules(Mode mode) {
        return CompiledRules.compile(RuleSetLoader.defaults().withMode(mode), null);
    }

    @AfterEach
    void closePorts() {
        ports.forEach(MemoryPort::close);
    }

    private MemoryPort port(int i) {
        return ports.get(i);
    }

    private static byte[] unicast(String src, String dst) {
        return FrameBuilder.ethernet().src(src).dst(dst).udp("10.0.0.1", "10.0.0.2", 40000, 9).payload(32).build();
    }

    private List<byte[]> sent(int i) {
        return port(i).takeTransmitted();
    }

    @Test
    void floodsUnknownUnicastToEveryOtherPortExactlyOnce() throws Exception {
        BridgeAgent agent = bridge(3);
        byte[] f = unicast(A, B);
        port(0).inject(f);
        agent.doWork();
        assertEquals(0, sent(0).size());
        assertArrayEquals(f, sent(1).get(0));
        List<byte[]> two = sent(2);
        assertEquals(1, two.size());
        assertArrayEquals(f, two.get(0));
        assertEquals(1, agent.counter(0, PortCounter.FLOODED));
    }

    @Test
    void sendsToTheLearnedPortOnlyAndFiltersSamePortTraffic() throws Exception {
        BridgeAgent agent = bridge(3);
        port(1).inject(unicast(B, A)); // learn B on port 1
        port(2).inject(unicast(C, A)); // learn C on port 2
        agent.doWork();
        ports.forEach(MemoryPort::takeTransmitted);

        port(0).inject(unicast(A, B));
        agent.doWork();
        assertEquals(1, sent(1).size());
        assertEquals(0, sent(2).size());

        // A frame for B arriving on B's own port stays on its segment.
        port(1).inject(unicast(C, B));
        agent.doWork();
        assertEquals(0, sent(0).size() + sent(2).size());
        assertEquals(1, agent.counter(1, PortCounter.DROP_SAME_PORT));
    }

    @Test
    void followsAMacMove() throws Exception {
        BridgeAgent agent = bridge(3);
        port(1).inject(unicast(B, A));
        agent.doWork();
        port(2).inject(unicast(B, A)); // B moved to port 2
        agent.doWork();
        ports.forEach(MemoryPort::takeTransmitted);
        port(0).inject(unicast(A, B));
        agent.doWork();
        assertEquals(0, sent(1).size());
        assertEquals(1, sent(2).size());
        assertEquals(1, agent.counter(FdbCounter.MOVED));
    }

    @Test
    void learnedAddressesAgeOutAndAreFloodedAgain() throws Exception {
        BridgeSettings s = new BridgeSettings(16, 10_000_000_000L, LinkLocalPolicy.FORWARD, 64, List.of());
        BridgeAgent agent = bridge(3, s, defaultRules(Mode.ENFORCE));
        port(1).inject(unicast(B, A));
        agent.doWork();
        ports.forEach(MemoryPort::takeTransmitted);
        now += 11_000_000_000L;
        port(0).inject(unicast(A, B));
        agent.doWork();
        assertEquals(1, sent(1).size());
        assertEquals(1, sent(2).size());
    }

    @Test
    void neverLearnsAGroupSourceAddress() throws Exception {
        BridgeAgent agent = bridge(2);
        port(0).inject(unicast("01:00:5e:00:00:01", B));
        agent.doWork();
        assertEquals(0, agent.counter(FdbCounter.LEARNED));
        assertEquals(0, agent.fdb().size());
    }

    @Test
    void aFullTableFloodsNewAddressesAndCountsThem() throws Exception {
        BridgeSettings s = new BridgeSettings(4, BridgeSettings.DEFAULT_FDB_AGING_NANOS, LinkLocalPolicy.FORWARD, 64,
                List.of());
        BridgeAgent agent = bridge(2, s, defaultRules(Mode.ENFORCE));
        for (int i = 0; i < 100; i++) {
            port(0).inject(unicast(String.format("02:00:00:00:01:%02x", i), B));
        }
        agent.doWork(); // a round takes at most batchSize (64) frames from a port
        agent.doWork();
        assertEquals(4, agent.fdb().size());
        assertEquals(96, agent.counter(FdbCounter.TABLE_FULL));
        assertEquals(100, sent(1).size());
    }

    @Test
    void staticEntriesSteerTrafficAndDoNotMove() throws Exception {
        long b = Ethernet.parseMac(B);
        BridgeSettings s = new BridgeSettings(16, BridgeSettings.DEFAULT_FDB_AGING_NANOS, LinkLocalPolicy.FORWARD, 64,
                List.of(new BridgeSettings.StaticMac(b, -1, 2)));
        BridgeAgent agent = bridge(3, s, defaultRules(Mode.ENFORCE));
        port(1).inject(unicast(B, A)); // B appears on port 1: the static entry wins
        agent.doWork();
        ports.forEach(MemoryPort::takeTransmitted);
        port(0).inject(unicast(A, B));
        agent.doWork();
        assertEquals(0, sent(1).size());
        assertEquals(1, sent(2).size());
        assertEquals(1, agent.counter(FdbCounter.STATIC_CONFLICT));
    }

    @Test
    void dropsNetbiosBroadcastButForwardsUnicastNetbios() throws Exception {
        BridgeAgent agent = bridge(2);
        byte[] bcast = FrameBuilder.ethernet().src(A).broadcast().udp("10.0.0.1", "10.0.0.255", 137, 137).payload(50)
                .build();
        byte[] ucast = FrameBuilder.ethernet().src(A).dst(B).udp("10.0.0.1", "10.0.0.2", 137, 137).payload(50).build();
        port(0).inject(bcast);
        port(0).inject(ucast);
        agent.doWork();
        List<byte[]> out = sent(1);
        assertEquals(1, out.size());
        assertArrayEquals(ucast, out.get(0));
        assertEquals(1, agent.counter(0, PortCounter.DROP_RULE));
        assertEquals(1, agent.counter(0, PortCounter.RX_BROADCAST_MULTICAST));
        assertEquals(0, agent.counter(0, PortCounter.FORWARDED_BROADCAST_MULTICAST));
    }

    @Test
    void monitorModeCountsButNeverDrops() throws Exception {
        BridgeAgent agent = bridge(2, BridgeSettings.defaults(), defaultRules(Mode.MONITOR));
        port(0).inject(FrameBuilder.ethernet().src(A).broadcast().udp("10.0.0.1", "255.255.255.255", 138, 138)
                .payload(50).build());
        agent.doWork();
        assertEquals(1, sent(1).size());
        CompiledRules r = agent.rules();
        long hits = 0;
        for (int i = 0; i < r.size(); i++) {
            hits += r.hits(i);
        }
        assertEquals(1, hits);
    }

    /** A fragment of a NetBIOS datagram broadcast from A: the first (with UDP 138) or a later one. */
    private static byte[] netbiosFragment(int id, int offset8, boolean more) {
        var ip = FrameBuilder.ethernet().src(A).broadcast().udp("10.0.0.1", "10.0.0.255", 138, 138).id(id);
        return (offset8 == 0 ? ip.firstFragment() : ip.laterFragment(offset8, more)).payload(1000).build();
    }

    @Test
    void dropsTheLaterFragmentsOfADatagramWhoseFirstFragmentARuleDroppedOnTheSameRule() throws Exception {
        BridgeAgent agent = bridge(2);
        port(0).inject(netbiosFragment(7, 0, true));
        port(0).inject(netbiosFragment(7, 126, true));
        port(0).inject(netbiosFragment(7, 252, false));
        // Another datagram's tail (its first fragment never came) and an unfragmented frame cross.
        port(0).inject(netbiosFragment(8, 126, false));
        port(0).inject(unicast(A, B));
        agent.doWork();
        List<byte[]> out = sent(1);
        assertEquals(2, out.size(), "the other datagram's tail and the unicast frame");
        assertArrayEquals(netbiosFragment(8, 126, false), out.get(0));
        assertEquals(3, agent.counter(0, PortCounter.DROP_RULE));
        CompiledRules r = agent.rules();
        int matched = -1;
        for (int i = 0; i < r.size(); i++) {
            if (r.hits(i) > 0) {
                assertEquals(-1, matched, "one rule has hits");
                matched = i;
            }
        }
        assertEquals(3, r.hits(matched), "the three fragments of one datagram, on the rule that matched the first: "
                + r.name(matched));
    }

    @Test
    void inMonitorModeTheLaterFragmentsAreCountedOnTheRuleAndForwarded() throws Exception {
        BridgeAgent agent = bridge(2, BridgeSettings.defaults(), defaultRules(Mode.MONITOR));
        port(0).inject(netbiosFragment(11, 0, true));
        port(0).inject(netbiosFragment(11, 126, false));
        agent.doWork();
        assertEquals(2, sent(1).size());
        assertEquals(0, agent.counter(0, PortCounter.DROP_RULE));
        CompiledRules r = agent.rules();
        long hits = 0;
        for (int i = 0; i < r.size(); i++) {
            hits += r.hits(i);
        }
        assertEquals(2, hits, "both fragments, as enforce mode would drop them");
    }

    @Test
    void forgetsADroppedDatagramAfterTheKernelsReassemblyTime() throws Exception {
        BridgeAgent agent = bridge(2);
        port(0).inject(netbiosFragment(9, 0, true));
        agent.doWork();
        now += DroppedDatagrams.LIFETIME_NANOS + 1;
        port(0).inject(netbiosFragment(9, 126, false));
        agent.doWork();
        assertEquals(1, sent(1).size(), "a tail 30 s late is another datagram's");
    }

    @Test
    void dropsNetbiosBroadcastInsideAKernelStrippedTagAndQinQ() throws Exception {
        BridgeAgent agent = bridge(2);
        byte[] inner = FrameBuilder.ethernet().src(A).broadcast().vlan(0x8100, 20)
                .udp("10.0.0.1", "255.255.255.255", 137, 137).payload(40).build();
        port(0).inject(inner, 0x88A8, 300);
        byte[] plain = FrameBuilder.ethernet().src(A).broadcast().udp("10.0.0.1", "255.255.255.255", 137, 137)
                .payload(40).build();
        port(0).inject(plain, 0x8100, 20);
        agent.doWork();
        assertEquals(0, sent(1).size());
        assertEquals(2, agent.counter(0, PortCounter.DROP_RULE));
    }

    @Test
    void reinsertsTheStrippedTagExactly() throws Exception {
        BridgeAgent agent = bridge(2);
        byte[] f = unicast(A, B);
        int tci = VlanTag.tci(5, true, 42);
        port(0).inject(f, 0x88A8, tci);
        port(0).inject(f, 0x8100, VlanTag.tci(3, false, 0)); // priority tag, VID 0
        agent.doWork();
        List<byte[]> out = sent(1);
        assertEquals(2, out.size());
        assertArrayEquals(tagged(f, 0x88A8, tci), out.get(0));
        assertArrayEquals(tagged(f, 0x8100, VlanTag.tci(3, false, 0)), out.get(1));
    }

    private static byte[] tagged(byte[] f, int tpid, int tci) {
        byte[] t = new byte[f.length + 4];
        System.arraycopy(f, 0, t, 0, 12);
        t[12] = (byte) (tpid >> 8);
        t[13] = (byte) tpid;
        t[14] = (byte) (tci >> 8);
        t[15] = (byte) tci;
        System.arraycopy(f, 12, t, 16, f.length - 12);
        return t;
    }

    @Test
    void dropsAndCountsFramesLargerThanTheEgressMtu() throws Exception {
        BridgeAgent agent = bridge(2);
        byte[] big = FrameBuilder.ethernet().src(A).dst(B).udp("10.0.0.1", "10.0.0.2", 1, 2).payload(1500 - 28 + 1)
                .build();
        byte[] fits = FrameBuilder.ethernet().src(A).dst(B).udp("10.0.0.1", "10.0.0.2", 1, 2).payload(1500 - 28)
                .build();
        port(0).inject(big);
        port(0).inject(fits);
        agent.doWork();
        List<byte[]> out = sent(1);
        assertEquals(1, out.size());
        assertEquals(1514, out.get(0).length);
        assertEquals(1, agent.counter(1, PortCounter.DROP_TOO_BIG));
    }

    @Test
    void neverForwardsATruncatedFrame() throws Exception {
        BridgeAgent agent = bridge(2);
        byte[] f = unicast(A, B);
        port(0).inject(MemorySegment.ofArray(f), 0, f.length, f.length + 100, 0, 0, false);
        agent.doWork();
        assertEquals(0, sent(1).size());
        assertEquals(1, agent.counter(0, PortCounter.DROP_TRUNCATED));
    }

    @Test
    void malformedFramesAreCountedAndDoNotStopForwarding() throws Exception {
        BridgeAgent agent = bridge(2);
        byte[] badIhl = FrameBuilder.ethernet().src(A).dst(B).udp("10.0.0.1", "10.0.0.2", 1, 2).ihl(3).build();
        port(0).inject(new byte[0]);
        port(0).inject(new byte[] {1, 2, 3});
        port(0).inject(badIhl);
        byte[] good = unicast(A, B);
        port(0).inject(good);
        agent.doWork();
        List<byte[]> out = sent(1);
        assertEquals(2, out.size(), "the bad-IHL frame is forwarded as-is, a bump in the wire; runts are not");
        assertArrayEquals(badIhl, out.get(0));
        assertArrayEquals(good, out.get(1));
        assertEquals(3, agent.counter(0, PortCounter.MALFORMED));
        assertEquals(2, agent.counter(0, PortCounter.DROP_RUNT));
        assertEquals(1, agent.malformed(Malformation.IPV4_IHL_TOO_SMALL));
        assertEquals(1, agent.malformed(Malformation.EMPTY));
    }

    @Test
    void completesAnUnfinishedUdpChecksum() throws Exception {
        BridgeAgent agent = bridge(2);
        byte[] f = FrameBuilder.ethernet().src(A).dst(B).udp("10.0.0.1", "10.0.0.2", 5000, 6000).payload(101).build();
        byte[] partial = f.clone();
        partial[14 + 20 + 6] = 0x12; // the sender left a partial (pseudo-header) sum
        partial[14 + 20 + 7] = 0x34;
        port(0).inject(MemorySegment.ofArray(partial), 0, partial.length, partial.length, 0x8100, 7, true);
        agent.doWork();
        byte[] out = sent(1).get(0);
        assertArrayEquals(tagged(f, 0x8100, 7), out);
        assertEquals(1, agent.counter(1, PortCounter.CHECKSUM_COMPLETED));
        assertTrue(Checksums.ipv4HeaderValid(out, 18));
    }

    @Test
    void forwardsLinkLocalFramesByDefaultAndDropsThemWhenTold() throws Exception {
        byte[] bpdu = FrameBuilder.ethernet().src(A).dst("01:80:c2:00:00:00").llc(0x42, 0x42, 3, new byte[35]).build();
        BridgeAgent open = bridge(2);
        port(0).inject(bpdu);
        open.doWork();
        assertEquals(1, sent(1).size());

        BridgeSettings s = new BridgeSettings(16, BridgeSettings.DEFAULT_FDB_AGING_NANOS, LinkLocalPolicy.DROP, 64,
                List.of());
        BridgeAgent closed = bridge(2, s, defaultRules(Mode.ENFORCE));
        port(2).inject(bpdu);
        closed.doWork();
        assertEquals(0, sent(3).size());
        assertEquals(1, closed.counter(0, PortCounter.DROP_LINK_LOCAL));
    }

    private static BridgeSettings withStormLimits(StormSettings.Limit... limits) {
        return BridgeSettings.defaults().withStorm(new StormSettings(List.of(limits)));
    }

    /** Sends {@code frame} on port 0, {@code times} times at one instant, and returns how many frames port 1 got. */
    private int burst(BridgeAgent agent, byte[] frame, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            port(0).inject(frame);
        }
        agent.doWork();
        return sent(1).size();
    }

    @Test
    void stormControlLimitsEachClassOnItsIngressPortOnly() throws Exception {
        StormSettings.Action drop = StormSettings.Action.DROP;
        BridgeAgent agent = bridge(2, withStormLimits(new StormSettings.Limit(0, StormClass.BROADCAST, 3, 3, drop),
                new StormSettings.Limit(0, StormClass.MULTICAST, 4, 4, drop),
                new StormSettings.Limit(0, StormClass.UNKNOWN_UNICAST, 5, 5, drop),
                new StormSettings.Limit(0, StormClass.ARP, 2, 2, drop)), defaultRules(Mode.ENFORCE));
        byte[] broadcast = FrameBuilder.ethernet().src(A).broadcast().udp("10.0.0.1", "10.0.0.255", 40000, 9)
                .payload(20).build();
        assertEquals(3, burst(agent, broadcast, 10), "a second's worth of broadcasts");
        assertEquals(7, agent.counter(0, PortCounter.DROP_STORM));
        byte[] multicast = FrameBuilder.ethernet().src(A).dst("01:00:5e:00:00:fb").udp("10.0.0.1", "224.0.0.251",
                5353, 5353).payload(20).build();
        assertEquals(4, burst(agent, multicast, 10));
        assertEquals(5, burst(agent, unicast(A, B), 10), "B is unknown: flooded, so limited");
        byte[] arp = FrameBuilder.ethernet().src(A).broadcast().arp(1, Ethernet.parseMac(A), "10.0.0.1", 0, "10.0.0.2")
                .build();
        assertEquals(0, burst(agent, arp, 10), "ARP broadcasts meet both buckets, and the broadcast one is empty");
        // Known unicast, link-local frames, and everything from the other port pass as before.
        port(1).inject(unicast(B, A));
        agent.doWork();
        assertEquals(1, sent(0).size());
        assertEquals(10, burst(agent, unicast(A, B), 10), "B is known now");
        byte[] lldp = FrameBuilder.ethernet().src(A).dst("01:80:c2:00:00:0e").raw(0x88cc, new byte[46]).build();
        assertEquals(10, burst(agent, lldp, 10), "link-local frames are exempt");
        for (int i = 0; i < 10; i++) {
            port(1).inject(broadcast);
        }
        agent.doWork();
        assertEquals(10, sent(0).size());
        assertEquals(0, agent.counter(1, PortCounter.DROP_STORM));
        assertEquals(7 + 6 + 5 + 10, agent.counter(0, PortCounter.DROP_STORM));
        assertEquals(3 + 4 + 5 + 10, agent.counter(0, PortCounter.FLOODED), "refused frames are not counted as flooded");
    }

    @Test
    void stormControlRefillsWithTimeAndAReloadChangesTheLimit() throws Exception {
        StormSettings.Limit three = new StormSettings.Limit(0, StormClass.BROADCAST, 3, 3, StormSettings.Action.DROP);
        BridgeAgent agent = bridge(2, withStormLimits(three), defaultRules(Mode.ENFORCE));
        byte[] broadcast = FrameBuilder.ethernet().src(A).broadcast().udp("10.0.0.1", "10.0.0.255", 40000, 9)
                .payload(20).build();
        assertEquals(3, burst(agent, broadcast, 10));
        now += 1_000_000_000L / 3 + 1;
        assertEquals(1, burst(agent, broadcast, 10), "a third of a second refills one");
        agent.reconfigure(withStormLimits(new StormSettings.Limit(0, StormClass.BROADCAST, 8, 8,
                StormSettings.Action.DROP)));
        assertEquals(8, burst(agent, broadcast, 10), "the new limit's bucket starts full");
        assertEquals(7 + 9 + 2, agent.stormControl().counter(0, StormCounter.DROPPED), "the totals go on");
        agent.reconfigure(BridgeSettings.defaults());
        assertEquals(null, agent.stormControl());
        assertEquals(10, burst(agent, broadcast, 10));
    }

    @Test
    void aNewRuleSetTakesEffectBetweenRoundsAndKeepsHitCounts() throws Exception {
        BridgeAgent agent = bridge(2);
        byte[] bcast = FrameBuilder.ethernet().src(A).broadcast().udp("10.0.0.1", "255.255.255.255", 137, 137)
                .payload(20).build();
        port(0).inject(bcast);
        agent.doWork();
        assertEquals(0, sent(1).size());
        CompiledRules before = agent.rules();
        agent.publishRules(defaultRules(Mode.MONITOR));
        port(0).inject(bcast);
        agent.doWork();
        assertEquals(1, sent(1).size());
        CompiledRules after = agent.rules();
        long total = 0;
        for (int i = 0; i < after.size(); i++) {
            total += after.hits(i);
        }
        assertEquals(2, total, "hits of same-named rules carry over: " + Arrays.toString(new long[] {before.hits(0)}));
    }

    @Test
    void runsQueuedCommandsOnTheDataPlaneThread() throws Exception {
        BridgeAgent agent = bridge(2);
        port(0).inject(unicast(A, B));
        agent.doWork();
        int[] size = {-1};
        assertTrue(agent.submit(() -> size[0] = agent.fdb().size()));
        agent.doWork();
        assertEquals(1, size[0]);
    }

    @Test
    void kicksEachTxRingOncePerRound() throws Exception {
        BridgeAgent agent = bridge(2);
        for (int i = 0; i < 50; i++) {
            port(0).inject(unicast(A, B));
        }
        agent.doWork();
        assertEquals(50, port(1).transmittedFrames());
        assertEquals(1, port(1).kicks());
    }

    @Test
    void remembersWhoSentDroppedFramesAndKeepsTheFramesForDiagnosis() throws Exception {
        BridgeAgent agent = bridge(2);
        byte[] bcast = FrameBuilder.ethernet().src(C).broadcast().udp("10.0.0.3", "255.255.255.255", 137, 137)
                .payload(20).build();
        for (int i = 0; i < 3; i++) {
            port(0).inject(bcast, 0x8100, 10);
        }
        port(1).inject(FrameBuilder.ethernet().src(A).broadcast().udp("10.0.0.1", "10.0.0.255", 138, 138).payload(9)
                .build());
        agent.doWork();
        assertEquals(List.of(new TopTalkers.Talker(Ethernet.parseMac(C), 3, "netbios-broadcast-l2"),
                new TopTalkers.Talker(Ethernet.parseMac(A), 1, "netbios-broadcast-l2")),
                agent.topTalkers().top(now, 10, 10));
        List<DroppedFrames.Frame> kept = agent.droppedFrames().snapshot();
        assertEquals(4, kept.size());
        assertArrayEquals(tagged(bcast, 0x8100, 10), kept.get(0).bytes(), "the stripped tag is put back");
    }
}
