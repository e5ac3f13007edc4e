package org.quietbridge.it.forwarding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
import org.quietbridge.it.Direction;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.Marker;
import org.quietbridge.it.Wire;
import org.quietbridge.lab.Role;

/**
 * The bridge learns where each MAC lives. With two ports, what a user can see of that is:
 * a frame to a station on the sender's own side stays there (it is filtered, not flooded to
 * the other side), a frame to a station the bridge has not seen floods across, and a station
 * that moves to the other side is found there.
 *
 * <p>The test stations are made-up MACs (02:77:00:00:aX:XX) that speak through the hosts'
 * wires; the probes are frames of the 802 local experimental EtherType, which no host stack
 * answers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@LabTest("learn")
class MacLearningTest {
    private static final String BROADCAST = "ff:ff:ff:ff:ff:ff";
    private static final Duration AGING_LIMIT = Duration.ofSeconds(20);

    private static LabFixture fixture;
    private static BridgeProcess bridge;
    private static Wire wire;
    private static final AtomicInteger frameNumbers = new AtomicInteger();
    private static final AtomicInteger filteredFromAp = new AtomicInteger();
    private static final AtomicInteger filteredFromCore = new AtomicInteger();

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void startBridge() {
        wire = Wire.open(fixture);
        bridge = fixture.startBridge("bridge", "ports: [ap0, core0]\n");
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void filtersFrameWhoseDestinationLivesOnTheSenderSide(Direction d) {
        String neighbour = d == Direction.AP_TO_CORE ? "02:77:00:00:a0:01" : "02:77:00:00:a0:02";
        String stranger = d == Direction.AP_TO_CORE ? "02:77:00:00:af:01" : "02:77:00:00:af:02";
        speak(d.from, neighbour);

        Frame toNeighbour = frame(d.srcMac(), neighbour, "to-neighbour-" + d.tag());
        Frame toStranger = frame(d.srcMac(), stranger, "to-stranger-" + d.tag());
        wire.sendAndSettle(d.from, List.of(toNeighbour.bytes, toStranger.bytes));
        count(d, 1);

        wire.assertNeverArrived("frame to " + neighbour + ", learned on the sender's side", toNeighbour.marker,
                toNeighbour.bytes, d.to);
        wire.assertCrossedOnceUnchanged("frame to never-seen " + stranger + " (flooded)", toStranger.marker,
                toStranger.bytes, d.from, d.to);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void findsStationThatMovedToTheOtherSide() {
        String roamer = "02:77:00:00:a0:03";
        speak(Role.AP, roamer);
        Frame before = frame(Direction.AP_TO_CORE.srcMac(), roamer, "before-move");
        wire.sendAndSettle(Role.AP, List.of(before.bytes));
        count(Direction.AP_TO_CORE, 1);
        wire.assertNeverArrived("frame to " + roamer + " while it lives on the ap side", before.marker, before.bytes,
                Role.CORE);

        speak(Role.CORE, roamer); // the station moved behind core

        Frame after = frame(Direction.AP_TO_CORE.srcMac(), roamer, "after-move");
        wire.sendAndSettle(Role.AP, List.of(after.bytes));
        wire.assertCrossedOnceUnchanged("frame from ap to " + roamer + " after it moved to core", after.marker,
                after.bytes, Role.AP, Role.CORE);
        Frame local = frame(Direction.CORE_TO_AP.srcMac(), roamer, "core-local-after-move");
        wire.sendAndSettle(Role.CORE, List.of(local.bytes));
        count(Direction.CORE_TO_AP, 1);
        wire.assertNeverArrived("frame from core to " + roamer + " now on the core side", local.marker, local.bytes,
                Role.AP);
    }

    /** The table is per VLAN (MAC and VID): a station learned in VLAN 10 is unknown in VLAN 20. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void learnsPerVlan() {
        String station = "02:77:00:00:a0:04";
        byte[] hello = Marker.of("hello-vlan10-" + frameNumbers.incrementAndGet());
        byte[] helloFrame = FrameBuilder.ethernet().src(station).dst(BROADCAST).vlan(0x8100, 10)
                .raw(Wire.EXPERIMENTAL_ETHERTYPE, hello).padTo(64).build();
        wire.sendAndSettle(Role.AP, List.of(helloFrame));
        wire.assertCrossedOnceUnchanged("hello from " + station + " in VLAN 10", hello, helloFrame, Role.AP, Role.CORE);

        Frame inVlan10 = tagged(station, 10, "to-station-vlan10");
        Frame inVlan20 = tagged(station, 20, "to-station-vlan20");
        wire.sendAndSettle(Role.AP, List.of(inVlan10.bytes, inVlan20.bytes));
        count(Direction.AP_TO_CORE, 1);

        wire.assertNeverArrived("frame to " + station + " in VLAN 10, where it was learned on ap", inVlan10.marker,
                inVlan10.bytes, Role.CORE);
        wire.assertCrossedOnceUnchanged("frame to " + station + " in VLAN 20, where it is unknown (flooded)",
                inVlan20.marker, inVlan20.bytes, Role.AP, Role.CORE);
    }

    /** Runs after the tests above: the exit summary counts each filtered frame on the port it came in on. */
    @Test
    @Order(Integer.MAX_VALUE - 1)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void exitSummaryCountsFilteredFramesPerPort() {
        // Stands alone too: one filtered frame from ap.
        String neighbour = "02:77:00:00:a0:05";
        speak(Role.AP, neighbour);
        Frame local = frame(Direction.AP_TO_CORE.srcMac(), neighbour, "summary-local");
        wire.sendAndSettle(Role.AP, List.of(local.bytes));
        count(Direction.AP_TO_CORE, 1);

        BridgeProcess.Stopped stopped = bridge.stop().assertClean();

        assertEquals(filteredFromAp.get(), stopped.summary().counter("ap0", "drop_same_port"), stopped.output());
        assertEquals(filteredFromCore.get(), stopped.summary().counter("core0", "drop_same_port"), stopped.output());
    }

    /**
     * A second bridge: entries age out after {@code fdb.aging} seconds (then frames flood again),
     * and a static entry pins a MAC to its port whatever source addresses say.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void agesOutLearnedStationsAndKeepsStaticOnes() {
        bridge.stop();
        String pinned = "02:77:00:00:a0:07";
        BridgeProcess aging = fixture.startBridge("aging", """
                ports: [ap0, core0]
                fdb:
                  aging: 1
                  static:
                    - {mac: %s, port: core0}
                """.formatted(pinned));

        String sleeper = "02:77:00:00:a0:06";
        speak(Role.AP, sleeper);
        Frame early = frame(Direction.AP_TO_CORE.srcMac(), sleeper, "aging-early");
        wire.sendAndSettle(Role.AP, List.of(early.bytes));
        wire.assertNeverArrived("frame to " + sleeper + " just learned on ap", early.marker, early.bytes, Role.CORE);
        // Once its entry has aged out, the bridge no longer knows the station: frames to it flood.
        byte[] crossed = Await.value(AGING_LIMIT, () -> "a frame to " + sleeper + " to flood after its entry aged out",
                () -> {
                    Frame probe = frame(Direction.AP_TO_CORE.srcMac(), sleeper, "aging-probe");
                    wire.sendAndSettle(Role.AP, List.of(probe.bytes));
                    return Wire.copies(wire.capture(Role.CORE), probe.marker, probe.bytes).isEmpty()
                            ? Optional.empty() : Optional.of(probe.marker);
                });
        assertTrue(crossed.length > 0);

        // The static entry: the pinned MAC speaking from ap does not move it off core0.
        speak(Role.AP, pinned);
        Frame toPinned = frame(Direction.AP_TO_CORE.srcMac(), pinned, "to-pinned");
        wire.sendAndSettle(Role.AP, List.of(toPinned.bytes));
        wire.assertCrossedOnceUnchanged("frame from ap to " + pinned + ", pinned to core0", toPinned.marker,
                toPinned.bytes, Role.AP, Role.CORE);

        aging.stop().assertClean();
    }

    private record Frame(byte[] marker, byte[] bytes) {
    }

    /** A frame from {@code src} to {@code dst} with a marker named {@code name}. */
    private static Frame frame(String src, String dst, String name) {
        byte[] marker = Marker.of(name + "-" + frameNumbers.incrementAndGet());
        return new Frame(marker, Wire.experimental(src, dst, marker));
    }

    private static Frame tagged(String dst, int vid, String name) {
        byte[] marker = Marker.of(name + "-" + frameNumbers.incrementAndGet());
        return new Frame(marker, FrameBuilder.ethernet().src(Direction.AP_TO_CORE.srcMac()).dst(dst).vlan(0x8100, vid)
                .raw(Wire.EXPERIMENTAL_ETHERTYPE, marker).padTo(64).build());
    }

    /** {@code station} sends a broadcast from {@code host}'s wire, and it crosses: the bridge has seen it there. */
    private static void speak(Role host, String station) {
        Direction d = Direction.from(host);
        Frame hello = frame(station, BROADCAST, "hello-" + station.replace(":", ""));
        wire.sendAndSettle(host, List.of(hello.bytes));
        wire.assertCrossedOnceUnchanged("broadcast from " + station, hello.marker, hello.bytes, d.from, d.to);
    }

    private static void count(Direction d, int filtered) {
        (d.from == Role.AP ? filteredFromAp : filteredFromCore).addAndGet(filtered);
    }
}
