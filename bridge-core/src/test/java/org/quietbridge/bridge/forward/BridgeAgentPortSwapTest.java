package org.quietbridge.bridge.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.port.AbsentPort;
import org.quietbridge.bridge.port.FramePort;
import org.quietbridge.bridge.port.MemoryPort;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.RuleSetLoader;

/**
 * A port whose interface vanished and came back: an {@link AbsentPort} stands in for it (frames to it are
 * counted, not lost silently), a new port takes its place later, and its counters go on.
 */
@Timeout(30)
class BridgeAgentPortSwapTest {
    private final long[] clock = {1_000_000_000L};
    private final MemoryPort ap = new MemoryPort("ap0", 1500);
    private final MemoryPort core = new MemoryPort("core0", 1500);
    private final MemoryPort third = new MemoryPort("dmz0", 1500);
    private final BridgeAgent agent = new BridgeAgent(new MemoryPort[] {ap, core, third}, BridgeSettings.defaults(),
            CompiledRules.compile(RuleSetLoader.defaults(), null), () -> clock[0]);

    @AfterEach
    void close() {
        ap.close();
        core.close();
        third.close();
    }

    private static byte[] broadcast(int n) {
        return FrameBuilder.ethernet().src("02:00:00:00:00:0a").broadcast()
                .udp("10.0.0.1", "10.0.0.255", 5000, 5000).payload(("frame " + n).getBytes()).build();
    }

    @Test
    void framesToAVanishedPortAreCountedAndTheOthersStillGetThem() throws Exception {
        FramePort old = agent.replacePort(1, AbsentPort.of(core));
        assertSame(core, old);
        ap.inject(broadcast(1));
        ap.inject(broadcast(2));
        agent.doWork();

        assertEquals(2, third.takeTransmitted().size(), "the port still there gets the flood");
        assertEquals(2, agent.counter(1, PortCounter.DROP_PORT_GONE));
        assertEquals(0, agent.counter(1, PortCounter.TX_FRAMES));
    }

    @Test
    void aReopenedPortForwardsAgainAndItsRingDropsGoOnFromWhereTheyWere() throws Exception {
        core.dropInRing(7);
        agent.doWork(); // reads the ring counters: 7
        assertEquals(7, agent.counter(1, PortCounter.DROP_RX_RING_FULL));

        agent.replacePort(1, AbsentPort.of(core));
        agent.countPortEvent(1, PortCounter.VANISHED);
        MemoryPort reopened = new MemoryPort("core0", 1500);
        try {
            assertTrue(agent.replacePort(1, reopened) instanceof AbsentPort);
            agent.countPortEvent(1, PortCounter.REOPENED);
            reopened.dropInRing(3);
            ap.inject(broadcast(3));
            clock[0] += BridgeAgent.RING_STATISTICS_INTERVAL_NANOS;
            agent.doWork();

            assertEquals(List.of(1), List.of(reopened.takeTransmitted().size()));
            assertEquals(10, agent.counter(1, PortCounter.DROP_RX_RING_FULL), "7 before, 3 since");
            assertEquals(1, agent.counter(1, PortCounter.VANISHED));
            assertEquals(1, agent.counter(1, PortCounter.REOPENED));
            assertEquals(1, agent.counter(1, PortCounter.TX_FRAMES));
        } finally {
            reopened.close();
        }
    }

    @Test
    void aPortIsReplacedOnlyByOneOfItsName() {
        assertThrows(IllegalArgumentException.class, () -> agent.replacePort(1, new AbsentPort("eth9", 1500, 1518)));
    }

    @Test
    void theStateOfEachPortIsUpUntilTheWatchSaysOtherwise() {
        assertEquals(PortState.UP, agent.portState(0));
        agent.portState(1, PortState.GONE);
        assertEquals(PortState.GONE, agent.portState(1));
        assertEquals("gone", agent.portState(1).word());
    }
}
