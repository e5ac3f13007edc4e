package org.quietbridge.it.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.Direction;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.Marker;
import org.quietbridge.it.Wire;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.Role;

/**
 * What happens to a port's interface while the bridge runs: deleted and created again (a driver reload,
 * a re-plugged NIC), forwarding resumes within a second, without a restart; and with
 * {@code link_state: propagate}, a carrier lost on one side takes the other side's link down, and back up.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@LabTest("ports")
class PortEventsTest {
    /** The bound for "forwarding resumes". */
    private static final Duration RESUME_LIMIT = Duration.ofSeconds(1);
    private static final Duration LINK_LIMIT = Duration.ofSeconds(10);
    private static final Direction AP_TO_CORE = Direction.AP_TO_CORE;

    private static LabFixture fixture;

    /** Whether {@code host}'s eth0 has carrier (the far end of its veth is up). */
    private static boolean hasCarrier(Role host) {
        String link = fixture.run(host, "ip", "-o", "link", "show", "dev", "eth0").stdout();
        return !link.contains("NO-CARRIER") && link.contains(",LOWER_UP");
    }

    /** Sends one experimental frame AP to core and returns whether it crossed within {@code limit}. */
    private static boolean crosses(Wire wire, String name, Duration limit) {
        byte[] marker = Marker.of(name);
        wire.send(Role.AP, List.of(Wire.experimental(AP_TO_CORE.srcMac(), AP_TO_CORE.dstMac(), marker)));
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!wire.capture(Role.CORE).framesWith(marker).isEmpty()) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    @Test
    void aDeletedInterfaceThatComesBackForwardsAgainWithinASecondWithoutARestart() {
        try (BridgeProcess bridge = fixture.startBridge("vanish", "ports: [ap0, core0]\n")) {
            vanishAndReturn(bridge);
        }
    }

    private static void vanishAndReturn(BridgeProcess bridge) {
        fixture.lab().disconnect(Role.CORE);
        Await.until(LINK_LIMIT, () -> "the bridge's line that core0 is gone:\n" + bridge.output(),
                () -> bridge.output().contains("port core0: its interface (ifindex "));
        assertTrue(bridge.output().contains("is gone; frames to it are dropped (drop_port_gone)"), bridge.output());

        fixture.lab().reconnect(Role.CORE);
        long back = System.nanoTime();
        Await.until(LINK_LIMIT, () -> "the bridge's line that core0 is back:\n" + bridge.output(),
                () -> bridge.output().contains("port core0: its interface is back (ifindex "));
        long reopened = System.nanoTime() - back;
        Wire wire = Wire.open(fixture);
        // The first frame may go before the capture on the re-created eth0 listens: try a few, each 1 s.
        boolean crossed = false;
        for (int i = 0; i < 5 && !crossed; i++) {
            crossed = crosses(wire, "vanish-after-" + i, RESUME_LIMIT);
        }
        System.out.printf("port events: core0 deleted and created again; the bridge had it open again %d ms after"
                + " it was up%n", reopened / 1_000_000);
        assertTrue(crossed, "no frame crossed to the re-created core0:\n" + bridge.output());
        assertTrue(reopened < RESUME_LIMIT.toNanos(), "core0 was reopened " + reopened / 1_000_000
                + " ms after it was back and up");
        CommandResult ping = fixture.lab().exec(Role.AP, Duration.ofSeconds(20), "ping", "-c", "3", "-i", "0.2", "-W", "2",
                fixture.lab().ipv4(Role.CORE));
        assertEquals(0, ping.exitCode(), "ping after core0 came back: " + ping.stdout() + ping.stderr());

        BridgeProcess.Stopped stopped = bridge.stop().assertClean();
        assertEquals(1, stopped.summary().counter("core0", "vanished"), stopped.output());
        assertEquals(1, stopped.summary().counter("core0", "reopened"), stopped.output());
        assertTrue(stopped.summary().counter("core0", "tx_frames") >= 4, "the bridge itself forwarded to the new core0:\n"
                + stopped.output());
    }

    @Test
    void withLinkStatePropagateALostCarrierTakesTheOtherSideDownAndBackUp() {
        try (BridgeProcess bridge = fixture.startBridge("carrier", "ports: [ap0, core0]\nlink_state: propagate\n")) {
            loseAndRegainCarrier(bridge);
        }
    }

    private static void loseAndRegainCarrier(BridgeProcess bridge) {
        assertTrue(hasCarrier(Role.CORE));
        try {
            fixture.run(Role.AP, "ip", "link", "set", "eth0", "down");
            Await.until(LINK_LIMIT, () -> "the core host to lose carrier after the AP's link went down:\n"
                    + bridge.output(), () -> !hasCarrier(Role.CORE));
            assertTrue(bridge.output().contains("link_state: ap0 lost carrier; set core0 down until it returns"),
                    bridge.output());
        } finally {
            fixture.run(Role.AP, "ip", "link", "set", "eth0", "up");
        }
        Await.until(LINK_LIMIT, () -> "the core host's carrier back after the AP's link came up:\n" + bridge.output(),
                () -> hasCarrier(Role.CORE));
        assertTrue(bridge.output().contains("link_state: ap0 has carrier again; set core0 up"), bridge.output());
        CommandResult ping = fixture.lab().exec(Role.AP, Duration.ofSeconds(20), "ping", "-c", "3", "-i", "0.2", "-W", "2",
                fixture.lab().ipv4(Role.CORE));
        assertEquals(0, ping.exitCode(), "ping after the carrier came back: " + ping.stdout() + ping.stderr());

        BridgeProcess.Stopped stopped = bridge.stop().assertClean();
        assertEquals(1, stopped.summary().counter("ap0", "carrier_lost"), stopped.output());
        assertEquals(1, stopped.summary().counter("core0", "held_down"), stopped.output());
        assertEquals(0, stopped.summary().counter("core0", "carrier_lost"), "core0 went down because it was set down:\n"
                + stopped.output());
    }

    @Test
    void aPortHeldDownComesBackUpWhenTheBridgeStops() {
        try (BridgeProcess bridge = fixture.startBridge("carrier-stop", "ports: [ap0, core0]\nlink_state: propagate\n")) {
            fixture.run(Role.AP, "ip", "link", "set", "eth0", "down");
            Await.until(LINK_LIMIT, "the core host to lose carrier", () -> !hasCarrier(Role.CORE));
            bridge.stop().assertClean();
            String core0 = fixture.run(Role.BR, "ip", "-o", "link", "show", "dev", "core0").stdout();
            List<String> flags = List.of(core0.substring(core0.indexOf('<') + 1, core0.indexOf('>')).split(","));
            assertTrue(flags.contains("UP"), "core0 is administratively up again after the stop: " + core0);
            assertTrue(bridge.output().contains("link_state: the bridge stops; core0 set up again"), bridge.output());
        } finally {
            fixture.run(Role.AP, "ip", "link", "set", "eth0", "up");
        }
        Await.until(LINK_LIMIT, "the core host's carrier back", () -> hasCarrier(Role.CORE));
    }
}
