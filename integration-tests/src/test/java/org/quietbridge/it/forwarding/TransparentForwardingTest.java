package org.quietbridge.it.forwarding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.testing.Checksums;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.BridgeSummary;
import org.quietbridge.it.Direction;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.Marker;
import org.quietbridge.it.Wire;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.Role;

/**
 * A bump in the wire is transparent: everything the NetBIOS rules do not name crosses exactly
 * once, byte for byte as it was sent, and never comes back to its sender. That covers unicast
 * NetBIOS (WINS, file and print), the protocols docs/ARCHITECTURE.md lists as "must keep working",
 * an 802.1D BPDU, and VLAN tags in every shape: the kernel strips the outer tag before the
 * bridge's ring sees the frame, and the bridge has to put back TPID, PCP, DEI and VID.
 *
 * <p>Each frame carries a marker; the far host's capture must hold exactly one frame with it,
 * equal to the frame sent. One lab and one bridge (default rules) serve the class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@LabTest("fwd")
class TransparentForwardingTest {
    private static final Duration PING_LIMIT = Duration.ofSeconds(20);

    private static LabFixture fixture;
    private static BridgeProcess bridge;
    private static Wire wire;
    private static final AtomicInteger frameNumbers = new AtomicInteger();

    /** One frame to send, and the marker it carries. */
    private record Probe(String name, byte[] marker, byte[] frame) {
    }

    @FunctionalInterface
    private interface Body {
        byte[] build(Direction d, byte[] marker);
    }

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void startBridge() {
        wire = Wire.open(fixture);
        // failover: off, so that only the data plane forwards: the kernel's stand-in carries a host's chatter
        // in the moment before the data plane takes the ports, and counts it in rx_bytes but never in tx_bytes.
        bridge = fixture.startBridge("bridge", "ports: [ap0, core0]\nfailover: off\n");
    }

    /** NetBIOS to a host's own address is real work (WINS, file and print): the filter must not touch it. */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void forwardsUnicastNetbiosAndSmb(Direction d) {
        List<Probe> probes = new ArrayList<>();
        for (int port : new int[] {137, 138}) {
            probes.add(probe(d, "udp-" + port, (dir, m) -> FrameBuilder.ethernet().src(dir.srcMac()).dst(dir.dstMac())
                    .udp(dir.srcIp(), dir.dstIp(), port, port).payload(m).build()));
        }
        for (int port : new int[] {139, 445}) {
            probes.add(probe(d, "tcp-" + port, (dir, m) -> FrameBuilder.ethernet().src(dir.srcMac()).dst(dir.dstMac())
                    .tcp(dir.srcIp(), dir.dstIp(), 49152, port).payload(m).build()));
        }
        assertAllCrossOnceUnchanged(d, probes);
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void forwardsDhcpDiscoverBroadcast(Direction d) {
        assertAllCrossOnceUnchanged(d, List.of(probe(d, "dhcp-discover", (dir, m) -> FrameBuilder.ethernet()
                .src(dir.srcMac()).broadcast().udp("0.0.0.0", "255.255.255.255", 68, 67)
                .payload(dhcpDiscover(dir.srcMac(), m)).build())));
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void forwardsArpRequestAndReply(Direction d) {
        long srcMac = Ethernet.parseMac(d.srcMac());
        long dstMac = Ethernet.parseMac(d.dstMac());
        assertAllCrossOnceUnchanged(d, List.of(
                probe(d, "arp-request", (dir, m) -> Marker.append(FrameBuilder.ethernet().src(srcMac).broadcast()
                        .arp(1, srcMac, dir.srcIp(), 0, dir.dstIp()).build(), m)),
                probe(d, "arp-reply", (dir, m) -> Marker.append(FrameBuilder.ethernet().src(srcMac).dst(dstMac)
                        .arp(2, srcMac, dir.srcIp(), dstMac, dir.dstIp()).build(), m))));
    }

    /** mDNS (RFC 6762), LLMNR (RFC 4795), SSDP and WS-Discovery: link-local multicast a campus relies on. */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void forwardsServiceDiscoveryMulticast(Direction d) {
        assertAllCrossOnceUnchanged(d, List.of(
                probe(d, "mdns", (dir, m) -> FrameBuilder.ethernet().src(dir.srcMac()).dst("01:00:5e:00:00:fb")
                        .udp(dir.srcIp(), "224.0.0.251", 5353, 5353).ttl(255).payload(dnsQuery(m)).build()),
                probe(d, "llmnr", (dir, m) -> FrameBuilder.ethernet().src(dir.srcMac()).dst("01:00:5e:00:00:fc")
                        .udp(dir.srcIp(), "224.0.0.252", 50123, 5355).ttl(1).payload(dnsQuery(m)).build()),
                probe(d, "ssdp", (dir, m) -> FrameBuilder.ethernet().src(dir.srcMac()).dst("01:00:5e:7f:ff:fa")
                        .udp(dir.srcIp(), "239.255.255.250", 50124, 1900).ttl(4).payload(ascii(
                                "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n"
                                        + "MX: 1\r\nST: ssdp:all\r\nX-QB: ", m, "\r\n\r\n")).build()),
                probe(d, "ws-discovery", (dir, m) -> FrameBuilder.ethernet().src(dir.srcMac()).dst("01:00:5e:7f:ff:fa")
                        .udp(dir.srcIp(), "239.255.255.250", 50125, 3702).ttl(1).payload(ascii(
                                "<?xml version=\"1.0\"?><soap:Envelope><soap:Body><wsd:Probe><!--", m,
                                "--></wsd:Probe></soap:Body></soap:Envelope>")).build())));
    }

    /** IPv6 neighbour solicitation to the target's solicited-node group, 33:33:ff:xx:xx:xx (RFC 4861). */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void forwardsIpv6NeighbourSolicitation(Direction d) {
        assertAllCrossOnceUnchanged(d, List.of(probe(d, "nd-ns", TransparentForwardingTest::neighbourSolicitation)));
    }

    /** Spanning tree across the bump keeps working only if BPDUs (IEEE 802.1D, LLC 0x42) cross. */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void forwardsSpanningTreeBpdu(Direction d) {
        assertAllCrossOnceUnchanged(d, List.of(probe(d, "bpdu", (dir, m) -> FrameBuilder.ethernet().src(dir.srcMac())
                .dst("01:80:c2:00:00:00").llc(0x42, 0x42, 0x03, Marker.append(configBpdu(dir.srcMac()), m)).build())));
    }

    /** docs/ARCHITECTURE.md, kernel fact 2: the tag leaves as it came, TPID, PCP, DEI and VID. */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void keeps8021qTagWithPriorityDropEligibleAndVid(Direction d) {
        // PCP 5, DEI 1, VID 42
        assertAllCrossOnceUnchanged(d, List.of(taggedUdp(d, "pcp5-dei1-vid42", new int[][] {{0x8100, 0xB02A}})));
    }

    /** A priority tag (VID 0) is a tag, not "untagged": TP_STATUS_VLAN_VALID tells them apart. */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void keepsPriorityTagWithVidZero(Direction d) {
        assertAllCrossOnceUnchanged(d, List.of(
                taggedUdp(d, "pcp3-vid0", new int[][] {{0x8100, 0x6000}}),
                taggedUdp(d, "all-zero-tci", new int[][] {{0x8100, 0x0000}})));
    }

    /** 802.1ad: the kernel strips the S-tag (TPID 0x88a8), the C-tag stays in the frame. */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void keepsQinQTagsInOrder(Direction d) {
        assertAllCrossOnceUnchanged(d, List.of(
                taggedUdp(d, "qinq", new int[][] {{0x88A8, 0x4064}, {0x8100, 0xA00A}}),
                taggedUdp(d, "double-8100", new int[][] {{0x8100, 100}, {0x8100, 10}}),
                taggedUdp(d, "s-tag-only", new int[][] {{0x88A8, 0x3FFE}})));
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void keepsTagOnBroadcastArp(Direction d) {
        long srcMac = Ethernet.parseMac(d.srcMac());
        assertAllCrossOnceUnchanged(d, List.of(probe(d, "tagged-arp", (dir, m) -> Marker.append(FrameBuilder.ethernet()
                .src(srcMac).broadcast().tag(0x8100, 0x202A).arp(1, srcMac, dir.srcIp(), 0, dir.dstIp()).build(), m))));
    }

    /**
     * docs/ARCHITECTURE.md, kernel fact 6: an MTU-sized frame fits the ring and leaves whole, untagged (1514
     * bytes) and with an 802.1Q tag put back (1518 bytes, which the kernel allows for 0x8100 only).
     */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void forwardsFullSizeFramesWhole(Direction d) {
        int udpPayload = 1500 - 20 - 8;
        Probe untagged = probe(d, "full-untagged", (dir, m) -> FrameBuilder.ethernet().src(dir.srcMac())
                .dst(dir.dstMac()).udp(dir.srcIp(), dir.dstIp(), 50130, 9).payload(filled(m, udpPayload)).build());
        Probe tagged = probe(d, "full-dot1q", (dir, m) -> FrameBuilder.ethernet().src(dir.srcMac()).dst(dir.dstMac())
                .tag(0x8100, 0x602A).udp(dir.srcIp(), dir.dstIp(), 50130, 9).payload(filled(m, udpPayload)).build());
        assertEquals(1514, untagged.frame().length);
        assertEquals(1518, tagged.frame().length);
        assertAllCrossOnceUnchanged(d, List.of(untagged, tagged));
    }

    /** Real hosts, real ARP and neighbour discovery: ping both ways over IPv4 and IPv6 from empty neighbour caches. */
    @Test
    @Order(Integer.MAX_VALUE - 2)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void pingCrossesWithRealArpAndNeighbourDiscovery() {
        for (Role host : List.of(Role.AP, Role.CORE)) {
            fixture.run(host, "ip", "neigh", "flush", "dev", "eth0");
        }
        for (Direction d : Direction.values()) {
            String target6 = d.to == Role.AP ? "fd00:77::10" : "fd00:77::20";
            CommandResult ping4 = fixture.lab().exec(d.from, PING_LIMIT, "ping", "-c", "3", "-i", "0.2", "-W", "2",
                    d.dstIp());
            assertEquals(0, ping4.exitCode(), "IPv4 ping " + d + ": " + ping4.stdout() + ping4.stderr());
            CommandResult ping6 = fixture.lab().exec(d.from, PING_LIMIT, "ping", "-6", "-c", "3", "-i", "0.2", "-W",
                    "2", target6);
            assertEquals(0, ping6.exitCode(), "IPv6 ping " + d + ": " + ping6.stdout() + ping6.stderr());
        }
    }

    /** Runs after the default bridge's tests: stops it; nothing this class sent was dropped, malformed or too big. */
    @Test
    @Order(Integer.MAX_VALUE - 1)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void exitSummaryShowsNothingDropped() {
        BridgeProcess.Stopped stopped = bridge.stop().assertClean();

        for (String port : List.of("ap0", "core0")) {
            for (String counter : List.of("drop_rule", "drop_same_port", "drop_too_big", "drop_truncated", "drop_runt",
                    "drop_tx_ring_full", "drop_link_local", "malformed", "checksum_unfixable")) {
                assertEquals(0, stopped.summary().counter(port, counter), port + " " + counter + "\n" + stopped.output());
            }
        }
        // Every frame crossed once, so what came in on one port went out on the other, bytes
        // included: a tagged frame is as long on the wire on both sides (its tag counts on both).
        BridgeSummary s = stopped.summary();
        assertEquals(s.counter("ap0", "rx_frames"), s.counter("core0", "tx_frames"), stopped.output());
        assertEquals(s.counter("core0", "rx_frames"), s.counter("ap0", "tx_frames"), stopped.output());
        assertEquals(s.counter("ap0", "rx_bytes"), s.counter("core0", "tx_bytes"), "ap0 rx_bytes vs core0 tx_bytes\n"
                + stopped.output());
        assertEquals(s.counter("core0", "rx_bytes"), s.counter("ap0", "tx_bytes"), "core0 rx_bytes vs ap0 tx_bytes\n"
                + stopped.output());
    }

    /**
     * {@code link_local: drop}: the bridge keeps IEEE 802.1D link-local frames (BPDU, LLDP) on
     * their segment, and forwards other multicast as before. Runs after the default bridge stopped.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void linkLocalDropKeepsBpduAndLldpOnTheirSegment() {
        bridge.stop();
        try (BridgeProcess dropping = fixture.startBridge("link-local-drop", "ports: [ap0, core0]\nlink_local: drop\n")) {
            Direction d = Direction.AP_TO_CORE;
            Probe bpdu = probe(d, "bpdu-dropped", (dir, m) -> FrameBuilder.ethernet().src(dir.srcMac())
                    .dst("01:80:c2:00:00:00").llc(0x42, 0x42, 0x03, Marker.append(configBpdu(dir.srcMac()), m)).build());
            Probe lldp = probe(d, "lldp-dropped", (dir, m) -> FrameBuilder.ethernet().src(dir.srcMac())
                    .dst("01:80:c2:00:00:0e").raw(0x88CC, m).padTo(60).build());
            Probe mdns = probe(d, "mdns-kept", (dir, m) -> FrameBuilder.ethernet().src(dir.srcMac())
                    .dst("01:00:5e:00:00:fb").udp(dir.srcIp(), "224.0.0.251", 5353, 5353).payload(dnsQuery(m)).build());
            wire.sendAndSettle(d.from, List.of(bpdu.frame(), lldp.frame(), mdns.frame()));

            wire.assertNeverArrived("BPDU with link_local: drop", bpdu.marker(), bpdu.frame(), d.to);
            wire.assertNeverArrived("LLDP with link_local: drop", lldp.marker(), lldp.frame(), d.to);
            wire.assertCrossedOnceUnchanged("mDNS with link_local: drop", mdns.marker(), mdns.frame(), d.from, d.to);
            BridgeProcess.Stopped stopped = dropping.stop().assertClean();
            assertEquals(2, stopped.summary().counter("ap0", "drop_link_local"), stopped.output());
        }
    }

    private static Probe probe(Direction d, String name, Body body) {
        byte[] marker = Marker.of(name + "-" + d.tag() + "-" + frameNumbers.incrementAndGet());
        return new Probe(name, marker, body.build(d, marker));
    }

    /** Unicast UDP to the far host inside the given tags (outermost first, {TPID, TCI}). */
    private static Probe taggedUdp(Direction d, String name, int[][] tags) {
        return probe(d, name, (dir, m) -> {
            FrameBuilder f = FrameBuilder.ethernet().src(dir.srcMac()).dst(dir.dstMac());
            for (int[] tag : tags) {
                f.tag(tag[0], tag[1]);
            }
            return f.udp(dir.srcIp(), dir.dstIp(), 50126, 9).payload(m).build();
        });
    }

    private static void assertAllCrossOnceUnchanged(Direction d, List<Probe> probes) {
        wire.sendAndSettle(d.from, probes.stream().map(Probe::frame).toList());
        for (Probe p : probes) {
            wire.assertCrossedOnceUnchanged(p.name() + " " + d, p.marker(), p.frame(), d.from, d.to);
        }
        assertTrue(bridge.isAlive(), "the bridge exited:\n" + bridge.output());
    }

    /** BOOTP/DHCP DISCOVER (RFC 2131, RFC 2132): broadcast flag, client MAC, option 53 = 1, end; the marker as padding. */
    private static byte[] dhcpDiscover(String clientMac, byte[] marker) {
        byte[] b = new byte[240 + 4];
        b[0] = 1; // op: BOOTREQUEST
        b[1] = 1; // htype: Ethernet
        b[2] = 6; // hlen
        b[4] = 0x51; // xid
        b[5] = 0x42;
        b[6] = 0x49;
        b[7] = 0x54;
        b[10] = (byte) 0x80; // flags: broadcast
        long mac = Ethernet.parseMac(clientMac);
        for (int i = 0; i < 6; i++) {
            b[28 + i] = (byte) (mac >>> (40 - 8 * i));
        }
        b[236] = 99; // magic cookie 99.130.83.99
        b[237] = (byte) 130;
        b[238] = 83;
        b[239] = 99;
        b[240] = 53; // DHCP message type
        b[241] = 1;
        b[242] = 1; // DISCOVER
        b[243] = (byte) 0xFF; // end
        return Marker.append(b, marker);
    }

    /** A DNS query header (one question) and the marker as the question's first label. */
    private static byte[] dnsQuery(byte[] marker) {
        byte[] header = {0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, (byte) marker.length};
        byte[] tail = {0x00, 0x00, (byte) 0xFF, 0x00, 0x01}; // root, QTYPE ANY, QCLASS IN
        return Marker.append(Marker.append(header, marker), tail);
    }

    /** {@code marker}, then a counting pattern up to {@code length} bytes. */
    private static byte[] filled(byte[] marker, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) i;
        }
        System.arraycopy(marker, 0, b, 0, marker.length);
        return b;
    }

    private static byte[] ascii(String head, byte[] marker, String tail) {
        return Marker.append(Marker.append(head.getBytes(StandardCharsets.US_ASCII), marker),
                tail.getBytes(StandardCharsets.US_ASCII));
    }

    /** An IEEE 802.1D configuration BPDU: root and bridge id from {@code mac}, priority 32768. */
    private static byte[] configBpdu(String mac) {
        byte[] b = new byte[35];
        long m = Ethernet.parseMac(mac);
        for (int id : new int[] {5, 17}) { // root identifier, bridge identifier
            b[id] = (byte) 0x80;
            for (int i = 0; i < 6; i++) {
                b[id + 2 + i] = (byte) (m >>> (40 - 8 * i));
            }
        }
        b[25] = (byte) 0x80; // port identifier 0x8001
        b[26] = 0x01;
        b[30] = 20; // max age 20 s (units of 1/256 s, high byte)
        b[32] = 2; // hello time 2 s
        b[34] = 15; // forward delay 15 s
        return b;
    }

    /**
     * An ICMPv6 neighbour solicitation for the far host's address from the near host's, to the
     * solicited-node group, with a source link-layer address option; the marker as Ethernet
     * padding behind the IPv6 packet.
     */
    private static byte[] neighbourSolicitation(Direction d, byte[] marker) {
        byte[] source = ipv6(d.from == Role.AP ? "fd00:77::10" : "fd00:77::20");
        byte[] target = ipv6(d.to == Role.AP ? "fd00:77::10" : "fd00:77::20");
        byte[] group = ipv6("ff02::1:ff00:0");
        System.arraycopy(target, 13, group, 13, 3);
        long srcMac = Ethernet.parseMac(d.srcMac());
        byte[] icmp = new byte[32];
        icmp[0] = (byte) 135; // neighbour solicitation
        System.arraycopy(target, 0, icmp, 8, 16);
        icmp[24] = 1; // option: source link-layer address, 8 bytes
        icmp[25] = 1;
        for (int i = 0; i < 6; i++) {
            icmp[26 + i] = (byte) (srcMac >>> (40 - 8 * i));
        }
        byte[] pseudo = new byte[40 + icmp.length];
        System.arraycopy(source, 0, pseudo, 0, 16);
        System.arraycopy(group, 0, pseudo, 16, 16);
        pseudo[35] = (byte) icmp.length;
        pseudo[39] = 58;
        System.arraycopy(icmp, 0, pseudo, 40, icmp.length);
        int sum = Checksums.internet(pseudo, 0, pseudo.length, 0);
        icmp[2] = (byte) (sum >> 8);
        icmp[3] = (byte) sum;
        String groupMac = String.format("33:33:%02x:%02x:%02x:%02x", group[12], group[13], group[14], group[15]);
        byte[] frame = FrameBuilder.ethernet().src(srcMac).dst(groupMac).ipv6(58, source, group, icmp).build();
        return Marker.append(frame, marker);
    }

    private static byte[] ipv6(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress(); // a literal: no name lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
