package org.quietbridge.bridge.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.port.MemoryPort;
import org.quietbridge.bridge.port.Offload;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.RuleSetLoader;

/**
 * The data plane and the kernel's stand-in: it holds the gate from its loop, and when it takes the ports
 * back (at start, after a stall) it drops the frames the kernel already forwarded, by their ring
 * timestamps, so nothing arrives twice.
 */
@Timeout(30)
class BridgeAgentFailoverTest {
    private static final long TIMEOUT = TimeUnit.MILLISECONDS.toNanos(200);

    /** A gate that records what the data plane did with it. */
    private static final class RecordingGate implements StandbyGate {
        final List<Long> holds = new ArrayList<>();
        long[] clock;
        boolean released;
        boolean closed;
        boolean refuse;
        long errors;

        @Override
        public long timeoutNanos() {
            return TIMEOUT;
        }

        /** Refused holds: false, as the kernel's NLMSG_ERROR answers one. */
        boolean answerNo;
        /** What the kernel says when asked whether the last hold is still in force; when it was asked. */
        boolean stillHeld;
        final List<Long> asked = new ArrayList<>();
        /** How long the thread is held up between the question and the hold. */
        long preemptedFor;

        @Override
        public boolean stillHeld() {
            asked.add(clock[0]);
            clock[0] += preemptedFor;
            return stillHeld;
        }

        @Override
        public boolean hold() throws IOException {
            if (refuse) {
                errors++;
                throw new IOException("sendto: EBADF");
            }
            if (answerNo) {
                errors++;
                return false;
            }
            holds.add(clock[0]);
            return true;
        }

        @Override
        public void release() {
            released = true;
        }

        @Override
        public long errors() {
            return errors;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final long[] clock = {5_000_000_000L};
    private final RecordingGate gate = new RecordingGate();
    private MemoryPort ap;
    private MemoryPort core;
    private BridgeAgent agent;

    @BeforeEach
    void bridge() {
        ap = new MemoryPort("ap0", 1500);
        core = new MemoryPort("core0", 1500);
        gate.clock = clock;
        agent = new BridgeAgent(new MemoryPort[] {ap, core}, BridgeSettings.defaults(),
                CompiledRules.compile(RuleSetLoader.defaults(), null), () -> clock[0]);
        agent.standby(gate);
    }

    @AfterEach
    void close() {
        ap.close();
        core.close();
    }

    /** A unicast frame numbered {@code n}, received on ap0 at {@code clockNanos} of the agent's clock. */
    private void receive(int n, long clockNanos) {
        byte[] frame = FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("02:00:00:00:00:0b")
                .udp("10.0.0.1", "10.0.0.2", 4000, 5000).payload(("frame " + n).getBytes()).build();
        assertTrue(ap.inject(MemorySegment.ofArray(frame), 0, frame.length, frame.length, 0, 0, false, Offload.NONE,
                agent.wallClockNanos(clockNanos)));
    }

    /** The numbers of the frames core0 sent. */
    private List<Integer> sentOnCore() {
        List<Integer> out = new ArrayList<>();
        for (byte[] f : core.takeTransmitted()) {
            String text = new String(f, java.nio.charset.StandardCharsets.ISO_8859_1);
            int at = text.indexOf("frame ");
            out.add(Integer.parseInt(text.substring(at + 6).trim()));
        }
        return out;
    }

    private long dropped() {
        return agent.counter(0, PortCounter.DROP_FORWARDED_BY_KERNEL);
    }

    @Test
    void atStartTheFramesTheKernelForwardedBeforeTheFirstHoldAreDroppedAndTheRestForwarded() throws Exception {
        assertTrue(agent.kernelForwards(clock[0]), "before the first hold, the kernel forwards");
        receive(1, clock[0] - 3_000_000);
        receive(2, clock[0] - 1);

        agent.doWork();
        assertEquals(List.of(clock[0]), gate.holds);
        assertFalse(agent.kernelForwards(clock[0]));
        receive(3, clock[0]);
        agent.doWork();

        assertEquals(List.of(3), sentOnCore());
        assertEquals(2, dropped());
        assertEquals(1, agent.counter(FailoverCounter.TAKEN_AT_START));
        assertEquals(0, agent.counter(FailoverCounter.TAKEN_AFTER_STALL));
    }

    @Test
    void theGateIsHeldEveryQuarterOfItsTimeoutFromTheLoop() throws Exception {
        agent.doWork();
        long start = clock[0];
        for (int ms = 1; ms <= 200; ms++) {
            clock[0] = start + TimeUnit.MILLISECONDS.toNanos(ms);
            agent.doWork();
            assertFalse(agent.kernelForwards(clock[0]), "at " + ms + " ms");
        }
        assertEquals(List.of(start, start + TIMEOUT / 4, start + TIMEOUT / 2, start + 3 * TIMEOUT / 4, start + TIMEOUT),
                gate.holds);
        assertEquals(0, agent.counter(FailoverCounter.TAKEN_AFTER_STALL));
        assertTrue(agent.kernelForwards(start + 2 * TIMEOUT + 1), "a loop that stops holding lets the kernel in");
    }

    @Test
    void afterAStallOnlyTheFramesStampedWhileTheKernelForwardedAreDropped() throws Exception {
        agent.doWork();
        long held = clock[0];
        long expiry = held + TIMEOUT;
        receive(1, held + TimeUnit.MILLISECONDS.toNanos(10));
        receive(2, expiry - BridgeAgent.TAKEBACK_MARGIN_NANOS - 1);
        receive(3, expiry - BridgeAgent.TAKEBACK_MARGIN_NANOS);
        receive(4, expiry + TimeUnit.MILLISECONDS.toNanos(500));
        clock[0] = held + TimeUnit.SECONDS.toNanos(1);
        assertTrue(agent.kernelForwards(clock[0]));

        agent.doWork();
        receive(5, clock[0]);
        agent.doWork();

        assertEquals(List.of(1, 2, 5), sentOnCore(), "sent by the data plane: before the gate opened, and after");
        assertEquals(2, dropped(), "3 and 4: the kernel forwarded them");
        assertEquals(1, agent.counter(FailoverCounter.TAKEN_AFTER_STALL));
        assertEquals(clock[0] - expiry, agent.counter(FailoverCounter.STALLED_NANOS));
        assertFalse(agent.kernelForwards(clock[0]));
    }

    @Test
    void aLoopHeldUpButNotStalledDropsNothing() throws Exception {
        agent.doWork();
        long held = clock[0];
        gate.stillHeld = true; // the kernel still honours the last hold: it forwarded nothing
        receive(1, held + TimeUnit.MILLISECONDS.toNanos(175));
        receive(2, held + TimeUnit.MILLISECONDS.toNanos(185));
        clock[0] = held + TimeUnit.MILLISECONDS.toNanos(190);

        agent.doWork();

        assertEquals(List.of(clock[0]), gate.asked, "late by more than a quarter of the timeout: asked first");
        assertEquals(List.of(1, 2), sentOnCore(), "a busy CPU that held the loop up is no reason to drop");
        assertEquals(0, dropped());
        assertEquals(0, agent.counter(FailoverCounter.TAKEN_AFTER_STALL));
    }

    @Test
    void whatArrivedBetweenTheQuestionAndTheHoldIsTakenBack() throws Exception {
        agent.doWork();
        for (int quarter = 1; quarter <= 24; quarter++) { // on time for longer than a second: the start's take-back
            clock[0] += TIMEOUT / 4;                      // window is closed and joins nothing
            agent.doWork();
        }
        long held = clock[0];
        gate.stillHeld = true;
        gate.preemptedFor = TimeUnit.MILLISECONDS.toNanos(300); // held up after the answer: the gate expired
        receive(1, held + TimeUnit.MILLISECONDS.toNanos(175)); // before the question: nobody forwarded it
        receive(2, held + TimeUnit.MILLISECONDS.toNanos(250)); // after it: perhaps the kernel did
        clock[0] = held + TimeUnit.MILLISECONDS.toNanos(190);

        agent.doWork();

        assertEquals(List.of(1), sentOnCore(), "never by both");
        assertEquals(1, dropped());
        assertEquals(1, agent.counter(FailoverCounter.TAKEN_AFTER_STALL), "the hold came after the timeout");
    }

    @Test
    void aHoldOnTimeAsksNothing() throws Exception {
        agent.doWork();
        long held = clock[0];
        for (int quarter = 1; quarter <= 8; quarter++) {
            clock[0] = held + quarter * TIMEOUT / 4;
            agent.doWork();
        }
        assertEquals(List.of(), gate.asked, "the question costs a netlink round trip: only when late");
    }

    @Test
    void aLateHoldTheKernelNoLongerHonouredTakesBackAsAfterAStall() throws Exception {
        agent.doWork();
        long held = clock[0];
        gate.stillHeld = false;
        receive(1, held + TimeUnit.MILLISECONDS.toNanos(175)); // inside the margin: perhaps forwarded
        clock[0] = held + TimeUnit.MILLISECONDS.toNanos(190);

        agent.doWork();

        assertEquals(1, gate.asked.size());
        assertEquals(List.of(), sentOnCore());
        assertEquals(1, dropped());
    }

    @Test
    void aCleanStopHandsThePortsToTheKernelAtOnce() throws Exception {
        agent.doWork();
        agent.onClose();
        assertTrue(gate.released);
        assertTrue(gate.closed);
        assertTrue(agent.kernelForwards(clock[0]), "released: no waiting out the timeout");
        assertEquals(1, agent.counter(FailoverCounter.RELEASED_AT_STOP));
    }

    @Test
    void aRefusedHoldIsCountedAndReported() {
        gate.refuse = true;
        assertThrows(IOException.class, agent::doWork);
        assertEquals(1, agent.counter(FailoverCounter.GATE_ERRORS));
        assertTrue(agent.kernelForwards(clock[0]));
    }

    @Test
    void aHoldTheKernelAnswersNoToLeavesTheGateExpiringAndTheNextThatTakesTakesBack() throws Exception {
        agent.doWork();
        long held = clock[0];
        gate.answerNo = true;
        clock[0] = held + TIMEOUT / 4;
        agent.doWork();
        clock[0] = held + TIMEOUT / 2;
        agent.doWork();
        assertEquals(2, agent.counter(FailoverCounter.GATE_ERRORS));
        assertTrue(agent.kernelForwards(held + TIMEOUT + 1), "the refused holds kept nothing shut");

        gate.answerNo = false;
        receive(1, held + TIMEOUT + TimeUnit.MILLISECONDS.toNanos(10));
        clock[0] = held + TIMEOUT + TimeUnit.MILLISECONDS.toNanos(20);
        agent.doWork();
        assertEquals(List.of(), sentOnCore(), "the kernel had forwarded frame 1");
        assertEquals(1, dropped());
        assertEquals(1, agent.counter(FailoverCounter.TAKEN_AFTER_STALL));
    }

    @Test
    void aSecondStallBeforeTheRingsDrainedJoinsTheWindows() throws Exception {
        agent.doWork();
        long first = clock[0];
        receive(1, first + TIMEOUT + TimeUnit.MILLISECONDS.toNanos(10)); // the kernel forwarded it
        clock[0] = first + TimeUnit.MILLISECONDS.toNanos(400);
        agent.doWork(); // the first take-back: frame 1 is dropped
        long second = clock[0];
        receive(2, second + TIMEOUT + TimeUnit.MILLISECONDS.toNanos(10));
        receive(3, first + TIMEOUT + TimeUnit.MILLISECONDS.toNanos(20)); // late out of the first window
        clock[0] = second + TimeUnit.MILLISECONDS.toNanos(400);
        agent.doWork();
        assertEquals(List.of(), sentOnCore(), "every frame the kernel may have forwarded stays dropped");
        assertEquals(3, dropped());
        assertEquals(2, agent.counter(FailoverCounter.TAKEN_AFTER_STALL));
    }

    @Test
    void theWatchdogIsPingedFromTheLoopAtItsInterval() throws Exception {
        List<Long> pings = new ArrayList<>();
        agent.watchdog(new Watchdog() {
            @Override
            public long intervalNanos() {
                return TimeUnit.SECONDS.toNanos(1);
            }

            @Override
            public void ping() {
                pings.add(clock[0]);
            }
        });
        long start = clock[0];
        for (int ms = 0; ms <= 2500; ms += 100) {
            clock[0] = start + TimeUnit.MILLISECONDS.toNanos(ms);
            agent.doWork();
        }
        assertEquals(List.of(start, start + TimeUnit.SECONDS.toNanos(1), start + TimeUnit.SECONDS.toNanos(2)), pings);
    }
}
