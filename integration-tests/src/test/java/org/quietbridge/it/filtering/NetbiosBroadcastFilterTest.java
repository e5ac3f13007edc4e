package org.quietbridge.it.filtering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.BridgeSummary;
import org.quietbridge.it.Direction;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.Marker;
import org.quietbridge.it.Wire;
import org.quietbridge.lab.Role;

/**
 * The job itself: NetBIOS name and datagram service (UDP 137 and 138) to a broadcast or a
 * multicast destination never reaches the other side, in whatever form a client sends it and
 * in both directions, and the bridge's exit summary accounts for every frame it kept off.
 *
 * <p>One lab and one bridge (the default rules, {@code ports: [ap0, core0]} alone) serve the
 * class. Each test sends its forms to UDP 137 and 138 from one side, then a barrier frame
 * ({@link Wire#sendAndSettle}); once the barrier is across, none of the forms may be.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@LabTest("nbf")
class NetbiosBroadcastFilterTest {
    private static final int[] NETBIOS_PORTS = {137, 138};
    private static final String L2_RULE = "netbios-broadcast-l2";
    private static final String L3_RULE = "netbios-broadcast-l3";

    private static LabFixture fixture;
    private static BridgeProcess bridge;
    private static Wire wire;

    /** What this class sent that the rules must drop, to check the summary against. */
    private static final AtomicInteger droppableFromAp = new AtomicInteger();
    private static final AtomicInteger droppableFromCore = new AtomicInteger();
    private static final AtomicInteger expectedL2Hits = new AtomicInteger();
    private static final AtomicInteger expectedL3Hits = new AtomicInteger();
    private static final AtomicInteger frameNumbers = new AtomicInteger();

    /** Which default rule a form must hit first. */
    private enum Rule {
        L2,
        L3
    }

    @FunctionalInterface
    private interface Form {
        /** The frame from {@code d}'s sender to UDP {@code port}, carrying {@code payload}. */
        byte[] build(Direction d, int port, byte[] payload);
    }

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void startBridge() {
        wire = Wire.open(fixture);
        bridge = fixture.startBridge("bridge", "ports: [ap0, core0]\n");
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dropsLimitedBroadcast(Direction d) {
        assertDropped(d, "limited", Rule.L2, (dir, port, payload) -> FrameBuilder.ethernet().src(dir.srcMac())
                .broadcast().udp(dir.srcIp(), "255.255.255.255", port, port).payload(payload).build());
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dropsSubnetDirectedBroadcast(Direction d) {
        assertDropped(d, "directed", Rule.L2, (dir, port, payload) -> FrameBuilder.ethernet().src(dir.srcMac())
                .broadcast().udp(dir.srcIp(), "10.77.0.255", port, port).payload(payload).build());
    }

    /** A confused client: a unicast IPv4 destination in a frame to ff:ff:ff:ff:ff:ff. */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dropsUnicastAddressInBroadcastFrame(Direction d) {
        assertDropped(d, "confused", Rule.L2, (dir, port, payload) -> FrameBuilder.ethernet().src(dir.srcMac())
                .broadcast().udp(dir.srcIp(), dir.dstIp(), port, port).payload(payload).build());
    }

    /** The broadcast address in a frame to the far host's own MAC: only layer 3 tells. */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dropsSubnetBroadcastInsideUnicastFrame(Direction d) {
        assertDropped(d, "bcast-in-ucast", Rule.L3, (dir, port, payload) -> FrameBuilder.ethernet().src(dir.srcMac())
                .dst(dir.dstMac()).udp(dir.srcIp(), "10.77.0.255", port, port).payload(payload).build());
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dropsAllHostsMulticast(Direction d) {
        assertDropped(d, "all-hosts", Rule.L2, (dir, port, payload) -> FrameBuilder.ethernet().src(dir.srcMac())
                .dst("01:00:5e:00:00:01").udp(dir.srcIp(), "224.0.0.1", port, port).payload(payload).build());
    }

    /** An administratively scoped group (RFC 2365), the one SSDP uses, but to NetBIOS ports. */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dropsScopedMulticast(Direction d) {
        assertDropped(d, "scoped", Rule.L2, (dir, port, payload) -> FrameBuilder.ethernet().src(dir.srcMac())
                .dst("01:00:5e:7f:ff:fa").udp(dir.srcIp(), "239.255.255.250", port, port).payload(payload).build());
    }

    /** A multicast group address in a frame to the far host's own MAC. */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dropsMulticastAddressInsideUnicastFrame(Direction d) {
        assertDropped(d, "mcast-in-ucast", Rule.L3, (dir, port, payload) -> FrameBuilder.ethernet().src(dir.srcMac())
                .dst(dir.dstMac()).udp(dir.srcIp(), "224.0.0.1", port, port).payload(payload).build());
    }

    /** The kernel strips the 802.1Q tag before the bridge's ring sees the frame; the rules must still see UDP 137. */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dropsBroadcastInside8021qVlan(Direction d) {
        assertDropped(d, "dot1q", Rule.L2, (dir, port, payload) -> FrameBuilder.ethernet().src(dir.srcMac())
                .broadcast().vlan(0x8100, 10).udp(dir.srcIp(), "10.77.0.255", port, port).payload(payload).build());
    }

    /** QinQ: the kernel strips the 802.1ad S-tag; the C-tag stays in the frame in front of IPv4. */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dropsBroadcastInsideQinQ(Direction d) {
        assertDropped(d, "qinq", Rule.L2, (dir, port, payload) -> FrameBuilder.ethernet().src(dir.srcMac())
                .broadcast().vlan(0x88A8, 100).vlan(0x8100, 10).udp(dir.srcIp(), "255.255.255.255", port, port)
                .payload(payload).build());
    }

    /** IPv4 options (here Router Alert, RFC 2113) move the UDP header; the ports must still be found. */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dropsBroadcastWithIpOptions(Direction d) {
        assertDropped(d, "options", Rule.L2, (dir, port, payload) -> FrameBuilder.ethernet().src(dir.srcMac())
                .broadcast().udp(dir.srcIp(), "10.77.0.255", port, port).options((byte) 0x94, (byte) 0x04, (byte) 0, (byte) 0)
                .payload(payload).build());
    }

    /** The first fragment of a large broadcast datagram carries the UDP header, and is dropped. */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dropsFirstFragmentOfBroadcastDatagram(Direction d) {
        assertDropped(d, "first-fragment", Rule.L2, (dir, port, payload) -> FrameBuilder.ethernet().src(dir.srcMac())
                .broadcast().udp(dir.srcIp(), "10.77.0.255", port, port).firstFragment().payload(payload).build());
    }

    /**
     * A NetBIOS broadcast datagram too big for one frame: its first fragment is dropped by the L2 rule, and
     * its later fragment, which carries no UDP header, is dropped too and counted on the same rule.
     */
    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dropsTheLaterFragmentsOfADroppedBroadcastDatagram(Direction d) {
        List<byte[]> markers = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        for (int port : NETBIOS_PORTS) {
            int id = frameNumbers.incrementAndGet() & 0xffff;
            byte[] first = Marker.of("frag-first-" + port + "-" + d.tag() + "-" + id);
            byte[] later = Marker.of("frag-later-" + port + "-" + d.tag() + "-" + id);
            markers.add(first);
            frames.add(FrameBuilder.ethernet().src(d.srcMac()).broadcast().udp(d.srcIp(), "10.77.0.255", port, port)
                    .id(id).firstFragment().payload(Marker.append(new byte[1000], first)).build());
            markers.add(later);
            frames.add(FrameBuilder.ethernet().src(d.srcMac()).broadcast().udp(d.srcIp(), "10.77.0.255", port, port)
                    .id(id).laterFragment(128, false).payload(Marker.append(new byte[200], later)).build());
        }
        wire.sendAndSettle(d.from, frames);
        (d.from == Role.AP ? droppableFromAp : droppableFromCore).addAndGet(frames.size());
        expectedL2Hits.addAndGet(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            String what = (i % 2 == 0 ? "first" : "later") + " fragment of a NetBIOS broadcast to UDP "
                    + NETBIOS_PORTS[i / 2] + " " + d;
            wire.assertNeverArrived(what, markers.get(i), frames.get(i), d.to);
            wire.assertNeverCameBack(what, markers.get(i), frames.get(i), d.from);
        }
        assertTrue(bridge.isAlive(), "the bridge exited:\n" + bridge.output());
    }

    /**
     * The operator's view: the counters printed at SIGTERM show every dropped frame, on the port
     * it came in through, under the rule that dropped it. Runs last: it stops the bridge. It
     * sends one form per rule and direction itself, so it also stands alone.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void exitSummaryCountsEveryDroppedFrameByPortAndRule() {
        for (Direction d : Direction.values()) {
            assertDropped(d, "summary-l2", Rule.L2, (dir, port, payload) -> FrameBuilder.ethernet().src(dir.srcMac())
                    .broadcast().udp(dir.srcIp(), "10.77.0.255", port, port).payload(payload).build());
            assertDropped(d, "summary-l3", Rule.L3, (dir, port, payload) -> FrameBuilder.ethernet().src(dir.srcMac())
                    .dst(dir.dstMac()).udp(dir.srcIp(), "10.77.0.255", port, port).payload(payload).build());
        }

        BridgeProcess.Stopped stopped = bridge.stop().assertClean();

        BridgeSummary summary = stopped.summary();
        String output = "\n" + stopped.output();
        assertEquals(droppableFromAp.get(), summary.counter("ap0", "drop_rule"), "ap0 drop_rule" + output);
        assertEquals(droppableFromCore.get(), summary.counter("core0", "drop_rule"), "core0 drop_rule" + output);
        assertEquals(expectedL2Hits.get(), summary.hits(L2_RULE), L2_RULE + " hits" + output);
        assertEquals(expectedL3Hits.get(), summary.hits(L3_RULE), L3_RULE + " hits" + output);
        assertEquals("drop", summary.rules().get(L2_RULE).action(), output);
        assertEquals("drop", summary.rules().get(L3_RULE).action(), output);
        assertTrue(summary.counter("ap0", "tx_frames") > 0, "the barriers crossed to ap, so core0 sent frames" + output);
    }

    /**
     * Sends {@code form} to UDP 137 and 138 in direction {@code d}, then a barrier, and asserts
     * that neither NetBIOS frame reached the far host, nor came back to the sender.
     */
    private static void assertDropped(Direction d, String name, Rule rule, Form form) {
        List<byte[]> markers = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        for (int port : NETBIOS_PORTS) {
            byte[] marker = Marker.of(name + "-" + port + "-" + d.tag() + "-" + frameNumbers.incrementAndGet());
            markers.add(marker);
            frames.add(form.build(d, port, nameQueryPayload(marker)));
        }

        wire.sendAndSettle(d.from, frames);
        (d.from == Role.AP ? droppableFromAp : droppableFromCore).addAndGet(frames.size());
        (rule == Rule.L2 ? expectedL2Hits : expectedL3Hits).addAndGet(frames.size());

        for (int i = 0; i < frames.size(); i++) {
            String what = name + " NetBIOS frame to UDP " + NETBIOS_PORTS[i] + " " + d;
            wire.assertNeverArrived(what, markers.get(i), frames.get(i), d.to);
            wire.assertNeverCameBack(what, markers.get(i), frames.get(i), d.from);
        }
        assertTrue(bridge.isAlive(), "the bridge exited:\n" + bridge.output());
    }

    /**
     * A NetBIOS name service query header (RFC 1002 section 4.2.12: transaction id, flags
     * "query, recursion desired, broadcast", one question), then the marker.
     */
    private static byte[] nameQueryPayload(byte[] marker) {
        byte[] header = {0x7A, 0x11, 0x01, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
        return Marker.append(header, marker);
    }
}
