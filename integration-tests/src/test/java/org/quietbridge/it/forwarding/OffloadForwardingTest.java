package org.quietbridge.it.forwarding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.testing.Checksums;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.BridgeSummary;
import org.quietbridge.it.Capture;
import org.quietbridge.it.HostCounters;
import org.quietbridge.it.IperfServer;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.Role;

/**
 * What the hosts' default offloads (TSO, GSO, TX checksum: every VM and container) hand the bridge,
 * end to end: GSO super-frames and frames whose checksum is left to the device cross as the kernel
 * bridge would carry them, the rules decide a super-frame once and count it as its segments, and the
 * bridge's counters agree with the hosts' own.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@LabTest("offload")
class OffloadForwardingTest {
    private static final Duration IPERF_LIMIT = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** A rule on a TCP port, for super-frames to that port: SMB. */
    private static final String CONFIG = """
            ports: [ap0, core0]
            rules:
              - {name: no-smb, match: {ip_protocol: tcp, dst_port: 445}, action: drop}
            """;
    private static final int MSS = 1000;

    private static LabFixture fixture;
    private BridgeProcess bridge;

    @AfterEach
    void stopBridge() {
        if (bridge != null) {
            bridge.close();
            bridge = null;
        }
    }

    /**
     * A TCP super-frame of {@code segments} x {@link #MSS} payload bytes from the AP host to the core
     * host, to {@code port}, with the pseudo-header sum in its checksum field, as TSO leaves it.
     */
    private static byte[] tcpSuperFrame(int port, int segments, String marker) {
        byte[] payload = new byte[segments * MSS];
        byte[] m = marker.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(m, 0, payload, 0, m.length);
        byte[] frame = FrameBuilder.ethernet().src(fixture.lab().mac(Role.AP)).dst(fixture.lab().mac(Role.CORE))
                .tcp(fixture.lab().ipv4(Role.AP), fixture.lab().ipv4(Role.CORE), 40000, port).payload(payload).build();
        int tcpLength = frame.length - 34;
        int pseudo = Checksums.pseudoHeaderSum(Ipv4.parse(fixture.lab().ipv4(Role.AP)),
                Ipv4.parse(fixture.lab().ipv4(Role.CORE)), Ipv4.PROTOCOL_TCP, tcpLength);
        while ((pseudo >>> 16) != 0) {
            pseudo = (pseudo & 0xFFFF) + (pseudo >>> 16);
        }
        frame[34 + 16] = (byte) (pseudo >> 8);
        frame[34 + 17] = (byte) pseudo;
        return frame;
    }

    /** struct virtio_net_hdr of a TSO super-frame (little-endian: the lab runs on x86_64 or arm64). */
    private static byte[] tsoHeader() {
        return ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).put((byte) 1).put((byte) 1)
                .putShort((short) 54).putShort((short) MSS).putShort((short) 34).putShort((short) 16).array();
    }

    @Test
    void aSuperFrameIsDecidedOnceForwardedWholeAndCountedAsItsSegments() {
        bridge = fixture.startBridge("rules", CONFIG);
        Capture core = fixture.capture(Role.CORE, "super", "tcp");
        byte[] dropped = tcpSuperFrame(445, 8, "QB-SUPER-445");
        byte[] forwarded = tcpSuperFrame(446, 8, "QB-SUPER-446");

        fixture.sender().sendWithVnetHeaders(Role.AP, List.of(tsoHeader(), tsoHeader()), List.of(dropped, forwarded));

        core.await("QB-SUPER-446".getBytes(java.nio.charset.StandardCharsets.US_ASCII), WAIT);
        BridgeSummary summary = bridge.stop().assertClean().summary();
        assertEquals(List.of(), core.framesWith("QB-SUPER-445".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                "the rule dropped the super-frame to port 445");
        assertEquals(2, summary.counter("ap0", "rx_super_frames"));
        assertEquals(8, summary.counter("ap0", "drop_rule"), "dropped whole, counted as its eight segments");
        assertEquals(8, summary.hits("no-smb"));
        assertEquals(summary.forDataPlane("ap0") - 8, summary.counter("core0", "tx_frames"),
                "all the AP sent but the dropped super-frame reached the core, the other one as its eight segments");
        assertEquals(0, summary.counter("core0", "drop_too_big"));
        assertEquals(0, summary.counter("ap0", "drop_truncated"));
    }

    @Test
    void tcpCrossesAndTheCountersAgreeWithTheHostsInterfaceCounters() {
        // The egress to the core cannot segment, as a NIC without TSO: the core host's eth0 then counts
        // the wire frames, as a switch port would.
        fixture.run(Role.BR, "ethtool", "-K", "core0", "tso", "off", "gso", "off");
        // failover: off: with the kernel's stand-in, a host's chatter just before the start or after the stop
        // crosses through the kernel and reaches the host's counters, never the bridge's.
        bridge = fixture.startBridge("counters", "ports: [ap0, core0]\nfailover: off\n");
        HostCounters coreBefore = HostCounters.read(fixture, Role.CORE);
        HostCounters apBefore = HostCounters.read(fixture, Role.AP);
        try (IperfServer server = IperfServer.start(fixture, Role.CORE, fixture.lab().ipv4(Role.CORE))) {
            double rate = server.runClient(Role.AP, "-t", "3");
            System.out.printf("TCP ap -> core with the hosts' offloads: %.0f Mbit/s%n", rate / 1e6);
        }
        BridgeSummary summary = bridge.stop().assertClean().summary();
        HostCounters core = HostCounters.read(fixture, Role.CORE).minus(coreBefore);
        HostCounters ap = HostCounters.read(fixture, Role.AP).minus(apBefore);

        fixture.run(Role.BR, "ethtool", "-K", "core0", "tso", "on", "gso", "on");
        long superFrames = summary.counter("ap0", "rx_super_frames");
        assertTrue(superFrames > 100, "TSO super-frames crossed: " + superFrames);
        assertEquals(core.rxPackets(), summary.counter("core0", "tx_frames"), "frames to the core host");
        assertEquals(core.rxBytes(), summary.counter("core0", "tx_bytes"), "bytes to the core host");
        // Every TCP segment the AP sent reached the bridge (none lost on the way, none counted twice):
        // the AP's TCP counts segments (new ones in OutSegs, retransmitted ones apart), its interface
        // counts super-frames.
        long segments = ap.tcpOutSegs() + ap.tcpRetransSegs();
        long otherFrames = summary.counter("ap0", "rx_frames") - segments;
        assertTrue(otherFrames >= 0 && otherFrames <= 20, "ap0 rx_frames " + summary.counter("ap0", "rx_frames")
                + " against the AP's TCP segments " + segments + " (plus ARP and neighbour discovery)");
        for (String port : List.of("ap0", "core0")) {
            for (String counter : List.of("drop_too_big", "drop_truncated", "checksum_unfixable", "malformed")) {
                assertEquals(0, summary.counter(port, counter), port + " " + counter);
            }
        }
    }

    @Test
    void tcpOverIpv6CrossesAsSuperFrames() {
        bridge = fixture.startBridge("ipv6", "ports: [ap0, core0]\n");
        try (IperfServer server = IperfServer.start(fixture, Role.CORE, fixture.lab().ipv6(Role.CORE))) {
            double rate = server.runClient(Role.AP, "-t", "3");
            System.out.printf("TCP over IPv6 ap -> core: %.0f Mbit/s%n", rate / 1e6);
            assertTrue(rate > IperfServer.FLOOR_BITS_PER_SECOND, "IPv6 TCP: " + rate / 1e6 + " Mbit/s");
        }
        BridgeSummary summary = bridge.stop().assertClean().summary();
        assertTrue(summary.counter("ap0", "rx_super_frames") > 100);
        assertEquals(0, summary.counter("core0", "checksum_unfixable"), "IPv6 partial checksums leave in the header");
    }

    @Test
    void aVlanTaggedSuperFrameKeepsItsTagAndLeavesAsTaggedSegments() {
        // The egress cannot segment: the kernel cuts the tagged super-frame, and each segment keeps the tag.
        fixture.run(Role.BR, "ethtool", "-K", "core0", "tso", "off", "gso", "off");
        try {
            bridge = fixture.startBridge("vlan", "ports: [ap0, core0]\n");
            Capture core = fixture.capture(Role.CORE, "vlan", "vlan 100 and tcp");
            int tci = (3 << 13) | 100;
            byte[] untagged = tcpSuperFrame(446, 4, "QB-VLAN");
            byte[] tagged = new byte[untagged.length + 4];
            System.arraycopy(untagged, 0, tagged, 0, 12);
            tagged[12] = (byte) 0x81;
            tagged[14] = (byte) (tci >> 8);
            tagged[15] = (byte) tci;
            System.arraycopy(untagged, 12, tagged, 16, untagged.length - 12);
            byte[] header = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).put((byte) 1).put((byte) 1)
                    .putShort((short) 58).putShort((short) MSS).putShort((short) 38).putShort((short) 16).array();

            fixture.sender().sendWithVnetHeaders(Role.AP, List.of(header), List.of(tagged));

            Await.until(WAIT, () -> "four tagged segments at the core; got " + core.frames().size(),
                    () -> core.frames().size() >= 4);
            List<byte[]> segments = core.frames();
            assertEquals(4, segments.size());
            for (byte[] f : segments) {
                assertEquals(0x8100, ((f[12] & 0xFF) << 8) | (f[13] & 0xFF), "TPID");
                assertEquals(tci, ((f[14] & 0xFF) << 8) | (f[15] & 0xFF), "PCP and VID");
                assertEquals(18 + 20 + 20 + MSS, f.length, "a wire frame: tag, IPv4, TCP and one MSS");
            }
            assertTrue(Capture.indexOf(segments.getFirst(), "QB-VLAN".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                    > 0);
            BridgeSummary summary = bridge.stop().assertClean().summary();
            assertEquals(1, summary.counter("ap0", "rx_super_frames"));
            assertEquals(0, summary.counter("core0", "drop_too_big"), "its segments fit the MTU with the tag");
        } finally {
            fixture.lab().exec(Role.BR, "ethtool", "-K", "core0", "tso", "on", "gso", "on");
        }
    }

    @Test
    void udpWithChecksumOffloadArrivesWithRightChecksumsOverIpv4AndIpv6() {
        // The bridge's egress to the core cannot checksum: the kernel completes each partial checksum in
        // software, as for a NIC without checksum offload, and the core host's stack checks every one.
        fixture.run(Role.BR, "ethtool", "-K", "core0", "tx", "off");
        try {
            bridge = fixture.startBridge("udp", "ports: [ap0, core0]\n");
            HostCounters before = HostCounters.read(fixture, Role.CORE);
            Process receiver = fixture.lab().start(Role.CORE, fixture.freshPath("udp-receiver", "log"),
                    LabFixture.python(), "-c", """
                            import select, socket
                            socks = []
                            for family, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
                                s = socket.socket(family, socket.SOCK_DGRAM)
                                if family == socket.AF_INET6:
                                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                                s.bind((addr, 9999))
                                socks.append(s)
                            while True:  # the stack counts a datagram (Udp InDatagrams) as it is read
                                for s in select.select(socks, [], [], 60)[0]:
                                    s.recv(2048)
                            """);
            try {
                Await.until(WAIT, "the UDP receiver to bind", () -> fixture.lab().exec(Role.CORE, "ss", "-uln")
                        .stdout().contains(":9999"));
                CommandResult sent = fixture.run(Role.AP, LabFixture.python(), "-c", """
                        import socket
                        for family, dst in ((socket.AF_INET, "%s"), (socket.AF_INET6, "%s")):
                            s = socket.socket(family, socket.SOCK_DGRAM)
                            for i in range(50):
                                s.sendto(bytes([i]) * 1200, (dst, 9999))
                        print("sent")
                        """.formatted(fixture.lab().ipv4(Role.CORE), fixture.lab().ipv6(Role.CORE)));
                assertEquals("sent", sent.stdout().strip());
                Await.until(WAIT, () -> "50 IPv4 and 50 IPv6 datagrams read at the core host", () -> {
                    HostCounters c = HostCounters.read(fixture, Role.CORE).minus(before);
                    return c.udpInDatagrams() + c.udpInCsumErrors() >= 50 && c.udp6InDatagrams() + c.udp6InCsumErrors() >= 50;
                });
                HostCounters core = HostCounters.read(fixture, Role.CORE).minus(before);
                assertEquals(50, core.udpInDatagrams(), "every IPv4 datagram arrived and was read");
                assertEquals(50, core.udp6InDatagrams(), "every IPv6 datagram arrived and was read");
                assertEquals(0, core.udpInCsumErrors() + core.udp6InCsumErrors(), "no checksum was wrong");
            } finally {
                fixture.lab().stop(receiver);
            }
            BridgeSummary summary = bridge.stop().assertClean().summary();
            assertEquals(0, summary.counter("core0", "checksum_unfixable"));
            assertEquals(0, summary.counter("core0", "checksum_completed"), "the egress did it, not the bridge");
        } finally {
            fixture.lab().exec(Role.BR, "ethtool", "-K", "core0", "tx", "on");
        }
    }

    @Test
    void withoutOffloadsASuperFrameIsDroppedAsTruncatedAndSaysSo() {
        bridge = fixture.startBridge("fallback", "ports: [ap0, core0]\nring: {offloads: off}\n");
        assertTrue(bridge.output().contains("offloads are not carried (ring.offloads is off)"), bridge.output());

        Capture core = fixture.capture(Role.CORE, "fallback", "udp port 9");
        byte[] after = FrameBuilder.ethernet().src(fixture.lab().mac(Role.AP)).dst(fixture.lab().mac(Role.CORE))
                .udp(fixture.lab().ipv4(Role.AP), fixture.lab().ipv4(Role.CORE), 9, 9)
                .payload("QB-AFTER".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).build();
        fixture.sender().sendWithVnetHeaders(Role.AP, List.of(tsoHeader(), new byte[10]),
                List.of(tcpSuperFrame(446, 8, "QB-FB"), after));
        // Frames are handled in order: once the one after it crossed, the super-frame was handled.
        core.await("QB-AFTER".getBytes(java.nio.charset.StandardCharsets.US_ASCII), WAIT);
        BridgeSummary summary = bridge.stop().assertClean().summary();
        assertEquals(1, summary.counter("ap0", "drop_truncated"), "cut by the ring, counted, never forwarded cut");
        assertEquals(0, summary.counter("ap0", "rx_super_frames"));
    }
}
