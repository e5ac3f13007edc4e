package org.quietbridge.bridge.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quietbridge.bridge.sys.VirtioNetHdr.VIRTIO_NET_HDR_F_NEEDS_CSUM;
import static org.quietbridge.bridge.sys.VirtioNetHdr.VIRTIO_NET_HDR_GSO_TCPV4;
import static org.quietbridge.bridge.sys.VirtioNetHdr.VIRTIO_NET_HDR_GSO_TCPV6;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.port.MemoryPort;
import org.quietbridge.bridge.port.Offload;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.RuleSetLoader;

/**
 * The forwarding agent with ports that carry virtio-net headers: GSO super-frames are decided once,
 * forwarded whole with their offload state, and counted as the segments they stand for.
 */
@Timeout(30)
class BridgeAgentOffloadTest {
    private static final String A = "02:00:00:00:00:0a";
    private static final String B = "02:00:00:00:00:0b";
    /** 14 MAC + 20 IPv4 + 20 TCP (the builder's TCP header has no options). */
    private static final int TCP4_HEADERS = 54;
    private static final int MSS = 1460;

    private final List<MemoryPort> ports = new ArrayList<>();
    private long now = 1_000_000_000L;

    @AfterEach
    void closePorts() {
        ports.forEach(MemoryPort::close);
    }

    /** Port 0 always carries offloads (it receives super-frames); port 1 does when {@code egressOffloads}. */
    private BridgeAgent bridge(boolean egressOffloads, CompiledRules rules) {
        MemoryPort[] p = {new MemoryPort("p0", 1500, 64, 64, true), new MemoryPort("p1", 1500, 64, 64, egressOffloads)};
        ports.addAll(List.of(p));
        return new BridgeAgent(p, BridgeSettings.defaults(), rules, () -> now);
    }

    private BridgeAgent bridge(boolean egressOffloads) {
        return bridge(egressOffloads, CompiledRules.compile(RuleSetLoader.defaults(), null));
    }

    /** A TCP super-frame of {@code payload} bytes from A to B, as TSO hands it over. */
    private static byte[] tcpSuperFrame(int payload) {
        return FrameBuilder.ethernet().src(A).dst(B).tcp("10.0.0.1", "10.0.0.2", 40000, 445).payload(payload).build();
    }

    /** What a virtio-net header says about a TSO frame: partial TCP checksum from 34, and a long linear part. */
    private static Offload tso(int gsoSize) {
        return new Offload().set(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, gsoSize, 2048, 34, 16);
    }

    private static void inject(MemoryPort port, byte[] frame, int tpid, int tci, Offload offload) {
        port.inject(MemorySegment.ofArray(frame), 0, frame.length, frame.length, tpid, tci,
                offload.needsChecksum(), offload);
    }

    /** Teaches the bridge that B is behind port 1, so frames to B are not flooded. */
    private void learnB(BridgeAgent agent) throws Exception {
        ports.get(1).inject(FrameBuilder.ethernet().src(B).dst(A).udp("10.0.0.2", "10.0.0.1", 9, 9).payload(8).build());
        agent.doWork();
        ports.get(0).takeTransmitted();
    }

    @Test
    void forwardsASuperFrameWholeAndCountsItAsItsSegments() throws Exception {
        BridgeAgent agent = bridge(true);
        learnB(agent);
        byte[] frame = tcpSuperFrame(10 * MSS);
        inject(ports.get(0), frame, 0, 0, tso(MSS));

        agent.doWork();

        assertArrayEquals(frame, ports.get(1).takeTransmitted().getFirst(), "whole, bytes untouched");
        assertEquals(List.of("Offload{gso type 1 size 1460, csum 34+16, hdr_len 54}"),
                ports.get(1).takeTransmittedOffloads(), "its headers' length, not the kernel's linear part");
        long wireBytes = frame.length + 9L * TCP4_HEADERS;
        assertEquals(10, agent.counter(0, PortCounter.RX_FRAMES));
        assertEquals(wireBytes, agent.counter(0, PortCounter.RX_BYTES));
        assertEquals(1, agent.counter(0, PortCounter.RX_SUPER_FRAMES));
        assertEquals(10, agent.counter(1, PortCounter.TX_FRAMES));
        assertEquals(wireBytes, agent.counter(1, PortCounter.TX_BYTES));
        assertEquals(0, agent.counter(1, PortCounter.CHECKSUM_COMPLETED), "the egress completes it");
    }

    @Test
    void aLastShortSegmentCountsAsOne() throws Exception {
        BridgeAgent agent = bridge(true);
        learnB(agent);
        inject(ports.get(0), tcpSuperFrame(3 * MSS + 100), 0, 0, tso(MSS));
        agent.doWork();
        assertEquals(4, agent.counter(1, PortCounter.TX_FRAMES));
    }

    @Test
    void aTaggedSuperFrameLeavesWithItsTagAndOffsetsShiftedByIt() throws Exception {
        BridgeAgent agent = bridge(true);
        int tci = (5 << 13) | 100;
        ports.get(1).inject(FrameBuilder.ethernet().src(B).dst(A).udp("10.0.0.2", "10.0.0.1", 9, 9).payload(8)
                .build(), 0x8100, tci);
        agent.doWork();
        byte[] frame = tcpSuperFrame(4 * MSS);
        inject(ports.get(0), frame, 0x8100, tci, tso(MSS));

        agent.doWork();

        byte[] sent = ports.get(1).takeTransmitted().getFirst();
        assertEquals(frame.length + 4, sent.length);
        assertEquals(0x81, sent[12] & 0xFF);
        assertEquals(tci, ((sent[14] & 0xFF) << 8) | (sent[15] & 0xFF), "TPID, PCP and VID as they came");
        assertEquals(List.of("Offload{gso type 1 size 1460, csum 38+16, hdr_len 58}"),
                ports.get(1).takeTransmittedOffloads());
        assertEquals(frame.length + 3L * TCP4_HEADERS + 4 * 4, agent.counter(1, PortCounter.TX_BYTES),
                "each of the four segments carries the tag");
    }

    @Test
    void aSuperFrameARuleDropsIsDroppedWholeAndCountedAsItsSegments() throws Exception {
        CompiledRules rules = CompiledRules.compile(RuleSetLoader.parse("t.yaml",
                "rules:\n  - {name: no-smb, action: drop, match: {ip_protocol: tcp, dst_port: 445}}\n"), null);
        BridgeAgent agent = bridge(true, rules);
        learnB(agent);
        inject(ports.get(0), tcpSuperFrame(8 * MSS), 0, 0, tso(MSS));

        agent.doWork();

        assertEquals(List.of(), ports.get(1).takeTransmitted());
        assertEquals(8, agent.counter(0, PortCounter.DROP_RULE));
        assertEquals(8, agent.rules().hits(0), "one decision, eight frames");
    }

    @Test
    void aSuperFrameFitsWhenItsSegmentsFitTheEgressMtu() throws Exception {
        BridgeAgent agent = bridge(true);
        learnB(agent);
        int fits = 1500 - 40; // IPv4 and TCP headers plus gso_size make a 1500-byte segment
        inject(ports.get(0), tcpSuperFrame(5 * fits), 0, 0, tso(fits));
        inject(ports.get(0), tcpSuperFrame(5 * (fits + 1)), 0, 0, tso(fits + 1));

        agent.doWork();

        assertEquals(1, ports.get(1).takeTransmitted().size());
        assertEquals(5, agent.counter(1, PortCounter.TX_FRAMES));
        assertEquals(5, agent.counter(1, PortCounter.DROP_TOO_BIG), "1501-byte segments, counted as the five");
    }

    @Test
    void aPartialChecksumLeavesInTheHeaderUntouched() throws Exception {
        BridgeAgent agent = bridge(true);
        learnB(agent);
        byte[] frame = FrameBuilder.ethernet().src(A).dst(B).udp("10.0.0.1", "10.0.0.2", 5000, 9).payload(100).build();
        frame[14 + 20 + 6] = 0x12; // the pseudo-header sum a sender with checksum offload leaves
        frame[14 + 20 + 7] = 0x34;
        inject(ports.get(0), frame, 0, 0, new Offload().set(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 42, 34, 6));

        agent.doWork();

        assertArrayEquals(frame, ports.get(1).takeTransmitted().getFirst(), "not completed in software");
        assertEquals(List.of("Offload{csum 34+6, hdr_len 142}"), ports.get(1).takeTransmittedOffloads(),
                "the whole frame goes to the linear part");
        assertEquals(1, agent.counter(1, PortCounter.TX_FRAMES));
        assertEquals(0, agent.counter(1, PortCounter.CHECKSUM_COMPLETED));
        assertEquals(0, agent.counter(1, PortCounter.CHECKSUM_UNFIXABLE));
    }

    @Test
    void anIpv6SuperFrameIsCountedFromItsFixedHeader() throws Exception {
        BridgeAgent agent = bridge(true);
        byte[] tcp = new byte[20 + 6 * 1440];
        tcp[12] = (byte) 0x80; // data offset 8: 32-byte TCP header (timestamps)
        byte[] frame = FrameBuilder.ethernet().src(A).dst(B).ipv6(6, new byte[16], new byte[16], tcp).build();
        // Offload without a partial checksum (GRO of checksummed frames): the L4 header is after 40 bytes.
        inject(ports.get(0), frame, 0, 0, new Offload().set(0, VIRTIO_NET_HDR_GSO_TCPV6, 1428, 0, 0, 0));

        agent.doWork();

        int headers = 14 + 40 + 32;
        int segments = (frame.length - headers + 1427) / 1428;
        assertEquals(segments, agent.counter(0, PortCounter.RX_FRAMES));
        assertEquals(frame.length + (segments - 1L) * headers, agent.counter(0, PortCounter.RX_BYTES));
        assertEquals(segments, agent.counter(1, PortCounter.TX_FRAMES), "flooded: B is unknown");
    }

    @Test
    void withoutOffloadsOnEgressASuperFrameIsTooBigAndAPartialChecksumIsCompleted() throws Exception {
        BridgeAgent agent = bridge(false);
        learnB(agent);
        inject(ports.get(0), tcpSuperFrame(6 * MSS), 0, 0, tso(MSS));
        byte[] partial = FrameBuilder.ethernet().src(A).dst(B).udp("10.0.0.1", "10.0.0.2", 5000, 9).payload(100)
                .build();
        partial[14 + 20 + 6] = 0;
        partial[14 + 20 + 7] = 0;
        inject(ports.get(0), partial, 0, 0, new Offload().set(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 42, 34, 6));

        agent.doWork();

        assertEquals(6, agent.counter(1, PortCounter.DROP_TOO_BIG), "the port cannot have the kernel cut it");
        List<byte[]> sent = ports.get(1).takeTransmitted();
        assertEquals(1, sent.size());
        assertEquals(1, agent.counter(1, PortCounter.CHECKSUM_COMPLETED));
        assertEquals(0, org.quietbridge.frame.testing.Checksums.internet(sent.getFirst(), 34, 108,
                org.quietbridge.frame.testing.Checksums.pseudoHeaderSum(0x0A000001, 0x0A000002, 17, 108)) & 0xFFFF,
                "a receiver's sum over the completed datagram");
    }

    @Test
    void theKernelsRingDropsAreCountedOncePerSecond() throws Exception {
        BridgeAgent agent = bridge(true);
        agent.doWork();
        ports.get(0).dropInRing(123);
        now += 500_000_000L;
        agent.doWork();
        assertEquals(0, agent.counter(0, PortCounter.DROP_RX_RING_FULL), "not read yet");
        now += 600_000_000L;
        agent.doWork();
        assertEquals(123, agent.counter(0, PortCounter.DROP_RX_RING_FULL));
        assertEquals(0, agent.counter(1, PortCounter.DROP_RX_RING_FULL));
        ports.get(0).dropInRing(7);
        agent.onClose();
        assertEquals(130, agent.counter(0, PortCounter.DROP_RX_RING_FULL), "read a last time at close");
    }

    @Test
    void busyRoundsCountTheirFramesAndTheirTime() throws Exception {
        long[] clock = {1_000_000_000L};
        MemoryPort[] p = {new MemoryPort("p0", 1500), new MemoryPort("p1", 1500)};
        ports.addAll(List.of(p));
        BridgeAgent agent = new BridgeAgent(p, BridgeSettings.defaults(), CompiledRules.compile(
                RuleSetLoader.defaults(), null), () -> clock[0] += 1000);
        agent.doWork();
        assertEquals(0, agent.counter(LoadCounter.BUSY_ROUNDS), "an idle round");
        for (int i = 0; i < 5; i++) {
            p[0].inject(FrameBuilder.ethernet().src(A).dst(Ethernet.formatMac(Ethernet.BROADCAST_MAC)).udp(
                    "10.0.0.1", "10.0.0.255", 9, 9).payload(8).build());
        }
        agent.doWork();
        assertEquals(1, agent.counter(LoadCounter.BUSY_ROUNDS));
        assertEquals(5, agent.counter(LoadCounter.FRAMES));
        assertEquals(1000, agent.counter(LoadCounter.BUSY_NANOS), "from the round's start to its end");
    }
}
