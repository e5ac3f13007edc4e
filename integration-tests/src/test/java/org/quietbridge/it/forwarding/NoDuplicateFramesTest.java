package org.quietbridge.it.forwarding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
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
 * docs/ARCHITECTURE.md, kernel fact 1: an {@code ETH_P_ALL} socket also sees what it sends, and a bridge
 * that does not filter its own transmissions forwards every frame again, and again. Seen from
 * the wire: each frame arrives exactly once on the far side, and nothing ever comes back to the
 * side it came from, with unicast, broadcast and multicast frames flowing both ways at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@LabTest("dup")
class NoDuplicateFramesTest {
    private static final int FRAMES_PER_SIDE = 200;

    private static LabFixture fixture;
    private static BridgeProcess bridge;
    private static Wire wire;

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void startBridge() {
        wire = Wire.open(fixture);
        bridge = fixture.startBridge("bridge", "ports: [ap0, core0]\n");
    }

    @Test
    @Order(1)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyFrameArrivesOnceOnTheFarSideAndNeverComesBack() throws InterruptedException {
        List<byte[]> apMarkers = new ArrayList<>();
        List<byte[]> coreMarkers = new ArrayList<>();
        List<byte[]> fromAp = numberedFrames(Direction.AP_TO_CORE, apMarkers);
        List<byte[]> fromCore = numberedFrames(Direction.CORE_TO_AP, coreMarkers);

        Process coreSender = fixture.sender().startSending(Role.CORE, fromCore);
        wire.send(Role.AP, fromAp);
        assertTrue(coreSender.waitFor(60, TimeUnit.SECONDS), "the sender in core did not finish");
        assertEquals(0, coreSender.exitValue(), "the sender in core failed");
        wire.capture(Role.CORE).awaitAll(apMarkers, Wire.CROSS_LIMIT);
        wire.capture(Role.AP).awaitAll(coreMarkers, Wire.CROSS_LIMIT);
        // Barriers both ways: whatever the bridge would still send back or twice is across by then.
        wire.sendAndSettle(Role.AP, List.of());
        wire.sendAndSettle(Role.CORE, List.of());

        assertEachOnceThere(Direction.AP_TO_CORE, apMarkers, fromAp);
        assertEachOnceThere(Direction.CORE_TO_AP, coreMarkers, fromCore);
        assertTrue(bridge.isAlive(), "the bridge exited:\n" + bridge.output());
    }

    /** Runs last: stops the bridge; it sent each side's frames once, and dropped none. */
    @Test
    @Order(2)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void exitSummaryShowsEveryFrameSentOnceAndNoneLost() {
        BridgeProcess.Stopped stopped = bridge.stop().assertClean();

        BridgeSummary s = stopped.summary();
        // Whatever the hosts' stacks added (ARP, ICMP errors, IPv6 ND) crossed too; each frame in is one frame out.
        assertEquals(s.forDataPlane("ap0"), s.counter("core0", "tx_frames"), stopped.output());
        assertEquals(s.forDataPlane("core0"), s.counter("ap0", "tx_frames"), stopped.output());
        for (String port : List.of("ap0", "core0")) {
            for (String counter : List.of("drop_rule", "drop_same_port", "drop_tx_ring_full", "drop_too_big")) {
                assertEquals(0, s.counter(port, counter), port + " " + counter + "\n" + stopped.output());
            }
        }
    }

    private static void assertEachOnceThere(Direction d, List<byte[]> markers, List<byte[]> sent) {
        int[] far = wire.copiesOfEach(d.to, markers, sent);
        int[] back = wire.copiesOfEach(d.from, markers, sent);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < markers.size(); i++) {
            if (far[i] != 1 || back[i] != 0) {
                wrong.add(Marker.text(markers.get(i)) + ": " + far[i] + " on " + d.to + ", " + back[i] + " back on "
                        + d.from);
            }
        }
        assertEquals(List.of(), wrong, d + ": frames not seen exactly once on the far side, or seen coming back");
    }

    /** Frame i: unicast to the far host, broadcast, or multicast (i mod 3), all UDP to the discard port. */
    private static List<byte[]> numberedFrames(Direction d, List<byte[]> markers) {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < FRAMES_PER_SIDE; i++) {
            byte[] marker = Marker.of("n-" + d.tag() + "-" + i);
            markers.add(marker);
            FrameBuilder f = FrameBuilder.ethernet().src(d.srcMac());
            frames.add(switch (i % 3) {
                case 0 -> f.dst(d.dstMac()).udp(d.srcIp(), d.dstIp(), 50129, 9).payload(marker).build();
                case 1 -> f.broadcast().udp(d.srcIp(), "10.77.0.255", 50129, 9).payload(marker).build();
                default -> f.dst("01:00:5e:01:02:03").udp(d.srcIp(), "239.1.2.3", 50129, 9).payload(marker).build();
            });
        }
        return frames;
    }
}
