package org.quietbridge.bridge.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * ARP flood containment in the forwarding agent, over three in-memory ports with an injected clock:
 * port 0 and port 2 play two access sides, port 1 the core.
 */
@Timeout(30)
class BridgeAgentArpTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long AGING = 60 * SECOND;
    private static final String CLIENT = "02:00:00:00:00:0a";
    private static final String CLIENT_IP = "10.0.0.10";
    private static final String OTHER = "02:00:00:00:00:0b";
    private static final String OTHER_IP = "10.0.0.11";
    private static final String GATEWAY = "02:00:00:00:00:01";
    private static final String GATEWAY_IP = "10.0.0.1";

    private final List<MemoryPort> ports = new ArrayList<>();
    private long now = 1_000 * SECOND;

    private BridgeAgent bridge(ArpMode mode) {
        return bridge(BridgeSettings.defaults().withArp(new ArpSettings(mode, 64, AGING)));
    }

    private BridgeAgent bridge(BridgeSettings settings) {
        MemoryPort[] p = new MemoryPort[3];
        for (int i = 0; i < p.length; i++) {
            p[i] = new MemoryPort("p" + i, 1500);
            ports.add(p[i]);
        }
        return new BridgeAgent(p, settings, CompiledRules.compile(RuleSetLoader.defaults(), null), () -> now);
    }

    @AfterEach
    void closePorts() {
        ports.forEach(MemoryPort::close);
    }

    private static byte[] arp(int op, String ethSrc, String ethDst, String senderMac, String senderIp, String targetMac,
            String targetIp) {
        return FrameBuilder.ethernet().src(ethSrc).dst(ethDst).arp(op, Ethernet.parseMac(senderMac), senderIp,
                Ethernet.parseMac(targetMac), targetIp).build();
    }

    /** A broadcast who-has {@code targetIp} from {@code mac}/{@code ip}. */
    private static byte[] request(String mac, String ip, String targetIp) {
        return arp(1, mac, "ff:ff:ff:ff:ff:ff", mac, ip, "00:00:00:00:00:00", targetIp);
    }

    /** {@code mac} announces {@code ip} (gratuitous ARP). */
    private static byte[] announce(String mac, String ip) {
        return arp(1, mac, "ff:ff:ff:ff:ff:ff", mac, ip, "00:00:00:00:00:00", ip);
    }

    /** Sends {@code frame} in on {@code in}; returns what each port sent, by port. */
    private List<List<byte[]>> cross(BridgeAgent agent, int in, byte[] frame) throws Exception {
        ports.get(in).inject(frame);
        agent.doWork();
        List<List<byte[]>> out = new ArrayList<>();
        for (MemoryPort p : ports) {
            out.add(p.takeTransmitted());
        }
        return out;
    }

    private static long destination(byte[] frame) {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = mac << 8 | (frame[i] & 0xFF);
        }
        return mac;
    }

    @Test
    void aRequestForAKnownAddressGoesOnlyToItsOwnersPort() throws Exception {
        BridgeAgent agent = bridge(ArpMode.CONTAIN);
        cross(agent, 1, announce(GATEWAY, GATEWAY_IP));
        List<List<byte[]>> out = cross(agent, 0, request(CLIENT, CLIENT_IP, GATEWAY_IP));
        assertEquals(1, out.get(1).size(), "to the gateway's port");
        assertEquals(0, out.get(2).size(), "not flooded to the other access side");
        assertEquals(Ethernet.BROADCAST_MAC, destination(out.get(1).getFirst()), "contain leaves it broadcast");
        ArpContainment arp = agent.arpContainment();
        assertEquals(1, arp.counter(ArpCounter.CONTAINED));
        assertEquals(1, arp.counter(ArpCounter.SKIPPED_GRATUITOUS));
        assertEquals(2, arp.counter(ArpCounter.BINDINGS), "the gateway, and the client from its request");
    }

    @Test
    void unicastModeRewritesTheRequestToTheOwnersMac() throws Exception {
        BridgeAgent agent = bridge(ArpMode.UNICAST);
        cross(agent, 0, announce(CLIENT, CLIENT_IP));
        List<List<byte[]>> out = cross(agent, 1, request(GATEWAY, GATEWAY_IP, CLIENT_IP));
        assertEquals(1, out.get(0).size());
        assertEquals(0, out.get(2).size());
        byte[] sent = out.get(0).getFirst();
        assertEquals(Ethernet.parseMac(CLIENT), destination(sent), "a unicast to the client");
        byte[] original = request(GATEWAY, GATEWAY_IP, CLIENT_IP);
        assertEquals(new String(original, 6, original.length - 6, java.nio.charset.StandardCharsets.ISO_8859_1),
                new String(sent, 6, sent.length - 6, java.nio.charset.StandardCharsets.ISO_8859_1),
                "nothing else changed: the ARP payload still asks who has the address");
        assertEquals(1, agent.arpContainment().counter(ArpCounter.REWRITTEN));
        assertEquals(0, agent.counter(1, PortCounter.FORWARDED_BROADCAST_MULTICAST), "it left as a unicast");
    }

    @Test
    void aRequestForAnAddressOnTheRequestersOwnPortIsNotForwarded() throws Exception {
        BridgeAgent agent = bridge(ArpMode.CONTAIN);
        cross(agent, 0, announce(OTHER, OTHER_IP));
        List<List<byte[]>> out = cross(agent, 0, request(CLIENT, CLIENT_IP, OTHER_IP));
        assertEquals(0, out.get(1).size() + out.get(2).size(), "the target heard it on its own side");
        assertEquals(1, agent.counter(0, PortCounter.DROP_ARP_SAME_SIDE));
        assertEquals(1, agent.arpContainment().counter(ArpCounter.SAME_SIDE));
    }

    @Test
    void unknownAndStaleTargetsAreFloodedAndCounted() throws Exception {
        BridgeAgent agent = bridge(ArpMode.UNICAST);
        List<List<byte[]>> out = cross(agent, 0, request(CLIENT, CLIENT_IP, GATEWAY_IP));
        assertEquals(1, out.get(1).size());
        assertEquals(1, out.get(2).size());
        cross(agent, 1, announce(GATEWAY, GATEWAY_IP));
        now += AGING + 1;
        out = cross(agent, 0, request(CLIENT, CLIENT_IP, GATEWAY_IP));
        assertEquals(2, out.get(1).size() + out.get(2).size(), "a stale binding floods");
        assertEquals(Ethernet.BROADCAST_MAC, destination(out.get(1).getFirst()));
        assertEquals(2, agent.arpContainment().counter(ArpCounter.FLOODED_UNKNOWN));
    }

    @Test
    void probesGratuitousArpUnicastRequestsRepliesAndForeignSendersAreNeverContained() throws Exception {
        BridgeAgent agent = bridge(ArpMode.UNICAST);
        cross(agent, 1, announce(GATEWAY, GATEWAY_IP));
        cross(agent, 0, announce(CLIENT, CLIENT_IP));
        // A probe (RFC 5227) for the gateway's address: flooded, and it teaches nothing.
        List<List<byte[]>> out = cross(agent, 2, arp(1, OTHER, "ff:ff:ff:ff:ff:ff", OTHER, "0.0.0.0",
                "00:00:00:00:00:00", GATEWAY_IP));
        assertEquals(2, out.get(0).size() + out.get(1).size());
        // A gratuitous ARP: flooded.
        out = cross(agent, 2, announce(OTHER, OTHER_IP));
        assertEquals(2, out.get(0).size() + out.get(1).size());
        // A unicast request (a cache refresh) and a reply: as any unicast, to the learned port.
        out = cross(agent, 0, arp(1, CLIENT, GATEWAY, CLIENT, CLIENT_IP, GATEWAY, GATEWAY_IP));
        assertEquals(1, out.get(1).size());
        out = cross(agent, 1, arp(2, GATEWAY, CLIENT, GATEWAY, GATEWAY_IP, CLIENT, CLIENT_IP));
        assertEquals(1, out.get(0).size());
        // VRRP: the ARP sender MAC is the virtual router's, the Ethernet source the router's own.
        out = cross(agent, 1, arp(1, "02:00:00:00:00:02", "ff:ff:ff:ff:ff:ff", "00:00:5e:00:01:01", GATEWAY_IP,
                "00:00:00:00:00:00", CLIENT_IP));
        assertEquals(2, out.get(0).size() + out.get(2).size(), "flooded, and never rewritten");
        assertEquals(Ethernet.BROADCAST_MAC, destination(out.get(0).getFirst()));
        ArpContainment arp = agent.arpContainment();
        assertEquals(1, arp.counter(ArpCounter.SKIPPED_PROBE));
        assertEquals(3, arp.counter(ArpCounter.SKIPPED_GRATUITOUS));
        assertEquals(2, arp.counter(ArpCounter.SKIPPED_UNICAST));
        assertEquals(1, arp.counter(ArpCounter.SKIPPED_SENDER_MISMATCH));
        assertEquals(0, arp.counter(ArpCounter.CONFLICTS), "the VRRP sender took no binding over");
        assertEquals(0, arp.counter(ArpCounter.REWRITTEN) + arp.counter(ArpCounter.CONTAINED));
    }

    @Test
    void nlbClusterAddressesAreLeftToNlbContainment() throws Exception {
        int cluster = Ipv4.parse("10.0.0.100");
        NlbSettings nlb = new NlbSettings(NlbMode.CONTAIN, AGING, 4, List.of(new NlbSettings.StaticCluster(cluster, -1,
                NlbMac.unicastMac(cluster), 0b010)));
        BridgeAgent agent = bridge(BridgeSettings.defaults().withNlb(nlb)
                .withArp(new ArpSettings(ArpMode.UNICAST, 64, AGING)));
        // A member announces the cluster IP from its own MAC: not a binding, and requests for it are NLB's.
        cross(agent, 1, announce("02:00:00:00:00:64", "10.0.0.100"));
        List<List<byte[]>> out = cross(agent, 0, request(CLIENT, CLIENT_IP, "10.0.0.100"));
        assertEquals(Ethernet.BROADCAST_MAC, destination(out.get(1).getFirst()));
        assertEquals(1, agent.arpContainment().counter(ArpCounter.SKIPPED_NLB));
        assertEquals(1, agent.arpContainment().counter(ArpCounter.BINDINGS), "the client only");
    }

    @Test
    void aMoveOrAnotherMacTakesTheBindingOverOnTheNewEvidence() throws Exception {
        BridgeAgent agent = bridge(ArpMode.UNICAST);
        cross(agent, 0, announce(CLIENT, CLIENT_IP));
        // The client roams to the other access side.
        cross(agent, 2, announce(CLIENT, CLIENT_IP));
        List<List<byte[]>> out = cross(agent, 1, request(GATEWAY, GATEWAY_IP, CLIENT_IP));
        assertEquals(0, out.get(0).size());
        assertEquals(1, out.get(2).size());
        assertEquals(1, agent.arpContainment().counter(ArpCounter.MOVED));
        // Another host claims the address (a duplicate, or a new lease): the latest claim wins, counted.
        cross(agent, 0, announce(OTHER, CLIENT_IP));
        out = cross(agent, 1, request(GATEWAY, GATEWAY_IP, CLIENT_IP));
        assertEquals(Ethernet.parseMac(OTHER), destination(out.get(0).getFirst()));
        assertEquals(1, agent.arpContainment().counter(ArpCounter.CONFLICTS));
    }

    @Test
    void ipv4FromTheOwnerKeepsItsBindingFreshAndAgedBindingsAreSwept() throws Exception {
        BridgeAgent agent = bridge(ArpMode.CONTAIN);
        cross(agent, 1, announce(GATEWAY, GATEWAY_IP));
        cross(agent, 0, announce(CLIENT, CLIENT_IP));
        for (int i = 0; i < 3; i++) {
            now += AGING / 2;
            cross(agent, 1, FrameBuilder.ethernet().src(GATEWAY).dst(CLIENT).udp(GATEWAY_IP, CLIENT_IP, 53, 40000)
                    .payload(20).build());
        }
        List<List<byte[]>> out = cross(agent, 0, request(CLIENT, CLIENT_IP, GATEWAY_IP));
        assertEquals(1, out.get(1).size() + out.get(2).size(), "the gateway's binding lived on its traffic");
        for (int i = 0; i < 10; i++) {
            now += AGING / 4;
            agent.doWork();
        }
        assertEquals(0, agent.arpContainment().counter(ArpCounter.BINDINGS));
        // The client's, once while the gateway's lived on (the client sent nothing for 90 s) and again at
        // the end; the gateway's once.
        assertEquals(3, agent.arpContainment().counter(ArpCounter.AGED));
    }

    @Test
    void monitorCountsWhatContainWouldDoAndForwardsAsBefore() throws Exception {
        BridgeAgent agent = bridge(ArpMode.MONITOR);
        cross(agent, 0, announce(OTHER, OTHER_IP));
        cross(agent, 1, announce(GATEWAY, GATEWAY_IP));
        List<List<byte[]>> out = cross(agent, 0, request(CLIENT, CLIENT_IP, OTHER_IP));
        assertEquals(2, out.get(1).size() + out.get(2).size());
        out = cross(agent, 0, request(CLIENT, CLIENT_IP, GATEWAY_IP));
        assertEquals(2, out.get(1).size() + out.get(2).size());
        assertEquals(Ethernet.BROADCAST_MAC, destination(out.get(1).getFirst()));
        assertEquals(1, agent.arpContainment().counter(ArpCounter.SAME_SIDE));
        assertEquals(1, agent.arpContainment().counter(ArpCounter.CONTAINED));
        assertEquals(0, agent.counter(0, PortCounter.DROP_ARP_SAME_SIDE));
    }

    @Test
    void aFullTableLearnsNothingNewAndAReloadKeepsTheBindings() throws Exception {
        BridgeAgent agent = bridge(BridgeSettings.defaults().withArp(new ArpSettings(ArpMode.CONTAIN, 2, AGING)));
        cross(agent, 0, announce(CLIENT, CLIENT_IP));
        cross(agent, 1, announce(GATEWAY, GATEWAY_IP));
        cross(agent, 2, announce(OTHER, OTHER_IP));
        assertEquals(1, agent.arpContainment().counter(ArpCounter.TABLE_FULL));
        agent.reconfigure(BridgeSettings.defaults().withArp(new ArpSettings(ArpMode.UNICAST, 8, AGING)));
        assertEquals(ArpMode.UNICAST, agent.arpContainment().mode());
        assertEquals(2, agent.arpContainment().bindings(now).size());
        assertEquals(1, agent.arpContainment().counter(ArpCounter.TABLE_FULL), "counters go on");
        List<List<byte[]>> out = cross(agent, 1, request(GATEWAY, GATEWAY_IP, CLIENT_IP));
        assertEquals(Ethernet.parseMac(CLIENT), destination(out.get(0).getFirst()));
        agent.reconfigure(BridgeSettings.defaults());
        assertEquals(null, agent.arpContainment());
    }

    @Test
    void aReloadToASmallerTableOrAShorterAgingCountsTheBindingsItCannotKeep() throws Exception {
        BridgeAgent agent = bridge(BridgeSettings.defaults().withArp(new ArpSettings(ArpMode.CONTAIN, 8, AGING)));
        cross(agent, 0, announce(CLIENT, CLIENT_IP));
        cross(agent, 1, announce(GATEWAY, GATEWAY_IP));
        cross(agent, 2, announce(OTHER, OTHER_IP));
        assertEquals(0, agent.arpContainment().counter(ArpCounter.TABLE_FULL));

        agent.reconfigure(BridgeSettings.defaults().withArp(new ArpSettings(ArpMode.CONTAIN, 1, AGING)));

        assertEquals(1, agent.arpContainment().bindings(now).size());
        assertEquals(1, agent.arpContainment().counter(ArpCounter.BINDINGS));
        assertEquals(2, agent.arpContainment().counter(ArpCounter.TABLE_FULL), "the two that did not fit");

        now += 10 * SECOND;
        agent.doWork();
        agent.reconfigure(BridgeSettings.defaults().withArp(new ArpSettings(ArpMode.CONTAIN, 1, 5 * SECOND)));

        assertEquals(0, agent.arpContainment().bindings(now).size());
        assertEquals(1, agent.arpContainment().counter(ArpCounter.AGED), "older than the new aging: aged");
    }

    @Test
    void aRequestStormControlDropsIsCountedThereOnly() throws Exception {
        BridgeAgent agent = bridge(BridgeSettings.defaults().withArp(new ArpSettings(ArpMode.UNICAST, 64, AGING))
                .withStorm(new StormSettings(List.of(new StormSettings.Limit(1, StormClass.ARP, 2, 2,
                        StormSettings.Action.DROP)))));
        cross(agent, 0, announce(CLIENT, CLIENT_IP));
        cross(agent, 1, request(GATEWAY, GATEWAY_IP, CLIENT_IP));
        cross(agent, 1, request(GATEWAY, GATEWAY_IP, CLIENT_IP));
        List<List<byte[]>> out = cross(agent, 1, request(GATEWAY, GATEWAY_IP, CLIENT_IP));
        assertEquals(0, out.get(0).size(), "the third in one instant is over the limit of 2");
        assertEquals(1, agent.counter(1, PortCounter.DROP_STORM));
        assertEquals(2, agent.arpContainment().counter(ArpCounter.REWRITTEN), "one reason per frame");
    }

    @Test
    void bindingsNeedTheEthernetSourceToBeTheSender() throws Exception {
        BridgeAgent agent = bridge(ArpMode.CONTAIN);
        // A proxy answers for the client: the binding would send requests to the wrong port.
        cross(agent, 1, arp(2, GATEWAY, "ff:ff:ff:ff:ff:ff", CLIENT, CLIENT_IP, "00:00:00:00:00:00", GATEWAY_IP));
        assertEquals(0, agent.arpContainment().counter(ArpCounter.BINDINGS));
        assertTrue(agent.arpContainment().bindings(now).isEmpty());
    }
}
