package org.quietbridge.it.forwarding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
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
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.Capture;
import org.quietbridge.it.Direction;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.Marker;
import org.quietbridge.it.Wire;

/**
 * Bad input is data (STYLE.md rule 6): a burst of frames the decoder cannot read in full,
 * interleaved with good ones, neither stops nor disturbs forwarding. Every good frame crosses
 * once and unchanged, the bridge keeps running without a data-plane error, the malformed frames
 * themselves cross untouched (no rule names them; a bump in the wire is transparent), and the
 * exit summary counts each of them on the port it came in through.
 *
 * <p>Each malformed frame has its own source MAC (02:77:00:00:bX:XX), so that it can be found
 * on the far side by its bytes even when it has no room for a marker.
 *
 * <p>A frame whose outer tag is cut short cannot be part of this: the receiving kernel frees it
 * in {@code skb_vlan_untag}, which wants 6 bytes behind the TPID (TCI, inner type and 2 more),
 * before any packet socket sees it, so no bridge on Linux ever gets one. The cut tag here is the
 * inner tag of a QinQ frame, which does reach the ring.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@LabTest("bad")
class MalformedFramesTest {
    private static final int ROUNDS = 10;

    private static LabFixture fixture;
    private static BridgeProcess bridge;
    private static Wire wire;
    private static final AtomicInteger stations = new AtomicInteger();
    private static final int[] malformedSent = new int[2];

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void startBridge() {
        wire = Wire.open(fixture);
        bridge = fixture.startBridge("bridge", "ports: [ap0, core0]\n");
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void malformedBurstDoesNotStopForwarding(Direction d) {
        List<byte[]> good = new ArrayList<>();
        List<byte[]> goodMarkers = new ArrayList<>();
        List<byte[]> bad = new ArrayList<>();
        List<byte[]> burst = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (byte[] malformed : malformedSet(d)) {
                byte[] marker = Marker.of("good-" + d.tag() + "-" + good.size());
                byte[] frame = FrameBuilder.ethernet().src(d.srcMac()).dst(d.dstMac())
                        .udp(d.srcIp(), d.dstIp(), 50127, 9).payload(marker).build();
                good.add(frame);
                goodMarkers.add(marker);
                bad.add(malformed);
                burst.add(frame);
                burst.add(malformed);
            }
        }

        wire.sendAndSettle(d.from, burst);
        malformedSent[d.ordinal()] += bad.size();

        for (int i = 0; i < good.size(); i++) {
            wire.assertCrossedOnceUnchanged("good frame " + i + " " + d, goodMarkers.get(i), good.get(i), d.from, d.to);
        }
        Await.until(Wire.CROSS_LIMIT, "every malformed frame " + d + " on " + d.to, () -> {
            List<byte[]> seen = wire.capture(d.to).frames();
            return bad.stream().allMatch(b -> seen.stream().anyMatch(f -> Arrays.equals(f, b)));
        });
        List<byte[]> far = wire.capture(d.to).frames();
        for (byte[] malformed : bad) {
            long copies = far.stream().filter(f -> Arrays.equals(f, malformed)).count();
            assertEquals(1, copies, "malformed frame " + d + " should cross once, untouched: " + Capture.hex(malformed));
        }
        assertTrue(bridge.isAlive(), "the bridge exited:\n" + bridge.output());
        assertFalse(bridge.output().contains("data plane error"), "data-plane errors:\n" + bridge.output());
    }

    /** Runs last: stops the bridge; every malformed frame is counted on its ingress port. */
    @Test
    @Order(Integer.MAX_VALUE)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void exitSummaryCountsMalformedFramesPerPort() {
        BridgeProcess.Stopped stopped = bridge.stop().assertClean();

        assertEquals(malformedSent[Direction.AP_TO_CORE.ordinal()], stopped.summary().counter("ap0", "malformed"),
                stopped.output());
        assertEquals(malformedSent[Direction.CORE_TO_AP.ordinal()], stopped.summary().counter("core0", "malformed"),
                stopped.output());
    }

    /** One of each kind of damage, from fresh station MACs on the sender's side to the far host. */
    private static List<byte[]> malformedSet(Direction d) {
        List<byte[]> set = new ArrayList<>();
        // A MAC header and nothing behind it (EtherType IPv4).
        set.add(FrameBuilder.ethernet().src(station()).dst(d.dstMac()).raw(0x0800, new byte[0]).build());
        // IHL 4: below the minimum of five words (RFC 791).
        set.add(FrameBuilder.ethernet().src(station()).dst(d.dstMac()).udp(d.srcIp(), d.dstIp(), 50128, 9).ihl(4)
                .payload(4).build());
        // IHL 15 (60 bytes) in a 40-byte packet.
        set.add(FrameBuilder.ethernet().src(station()).dst(d.dstMac()).udp(d.srcIp(), d.dstIp(), 50128, 9).ihl(15)
                .payload(12).build());
        // Total length 1000 in a 40-byte packet.
        set.add(FrameBuilder.ethernet().src(station()).dst(d.dstMac()).udp(d.srcIp(), d.dstIp(), 50128, 9)
                .totalLength(1000).payload(12).build());
        // Version 6 behind EtherType IPv4.
        set.add(FrameBuilder.ethernet().src(station()).dst(d.dstMac()).udp(d.srcIp(), d.dstIp(), 50128, 9).version(6)
                .payload(12).build());
        // UDP with room for one port only (total length 22).
        set.add(FrameBuilder.ethernet().src(station()).dst(d.dstMac()).ipv4(d.srcIp(), d.dstIp()).protocol(17)
                .payload(new byte[] {0x00, 0x09}).build());
        // ARP cut to 10 bytes.
        set.add(FrameBuilder.ethernet().src(station()).broadcast().raw(0x0806, new byte[] {0, 1, 8, 0, 6, 4, 0, 1, 2,
                0x77}).build());
        // QinQ whose inner 802.1Q tag has its TCI but no EtherType behind it.
        set.add(FrameBuilder.ethernet().src(station()).dst(d.dstMac()).vlan(0x88A8, 100)
                .raw(0x8100, new byte[] {0x00, 0x0A}).build());
        // A complete 802.1Q tag, then 2 bytes of an IPv4 header.
        set.add(FrameBuilder.ethernet().src(station()).dst(d.dstMac()).vlan(0x8100, 10)
                .raw(0x0800, new byte[] {0x45, 0x00}).build());
        return set;
    }

    private static String station() {
        int n = stations.incrementAndGet();
        return String.format("02:77:00:00:%02x:%02x", 0xB0 + (n >> 8), n & 0xFF);
    }
}
