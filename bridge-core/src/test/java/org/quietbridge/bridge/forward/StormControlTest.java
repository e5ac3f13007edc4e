package org.quietbridge.bridge.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.quietbridge.frame.Ethernet;

class StormControlTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long STORMER = Ethernet.parseMac("02:00:00:00:00:5a");
    private static final long OTHER = Ethernet.parseMac("02:00:00:00:00:0b");
    private static final int BROADCAST = StormClass.BROADCAST.bit();
    private static final int ARP = StormClass.ARP.bit();

    private static StormControl control(StormSettings.Limit... limits) {
        return new StormControl(new StormSettings(List.of(limits)), 2, 0, null);
    }

    private static StormSettings.Limit broadcast(long pps, long falling, StormSettings.Action action) {
        return new StormSettings.Limit(0, StormClass.BROADCAST, pps, falling, action);
    }

    /** Offers {@code pps} frames a second, evenly spaced, from {@code from} for {@code seconds}; returns those let through per second. */
    private static List<Long> offer(StormControl s, int classes, long pps, long from, int seconds) {
        List<Long> passed = new ArrayList<>();
        long gap = SECOND / pps;
        for (int sec = 0; sec < seconds; sec++) {
            long n = 0;
            for (long i = 0; i < pps; i++) {
                if (s.admit(0, classes, STORMER, 1, from + sec * SECOND + i * gap)) {
                    n++;
                }
            }
            passed.add(n);
        }
        return passed;
    }

    @Test
    void aBucketHoldsOneSecondsWorthThenLetsTheLimitThrough() {
        StormControl s = control(broadcast(500, 500, StormSettings.Action.DROP));
        List<Long> passed = offer(s, BROADCAST, 10_000, 0, 5);
        // The first second: the full bucket (500) and what it refills within the second (about 500).
        assertTrue(passed.getFirst() >= 990 && passed.getFirst() <= 1000, "first second: " + passed);
        for (long n : passed.subList(1, passed.size())) {
            assertTrue(n >= 499 && n <= 501, "later seconds hold the limit: " + passed);
        }
        long offered = 50_000;
        long through = passed.stream().mapToLong(Long::longValue).sum();
        assertEquals(offered - through, s.counter(0, StormCounter.DROPPED), "every refused frame is counted");
    }

    @Test
    void trafficAtTheLimitIsNeverRefusedAndIsNoStorm() {
        StormControl s = control(broadcast(500, 500, StormSettings.Action.DROP));
        assertEquals(List.of(500L, 500L, 500L), offer(s, BROADCAST, 500, 0, 3));
        assertEquals(0, s.counter(0, StormCounter.DROPPED));
        assertEquals(0, s.counter(0, StormCounter.STORMS));
    }

    @Test
    void aStormBeginsWhenASecondHoldsMoreThanTheLimitAndNamesItsTopSource() {
        StormControl s = control(broadcast(100, 100, StormSettings.Action.DROP));
        for (int i = 0; i < 100; i++) {
            assertTrue(s.admit(0, BROADCAST, i % 4 == 0 ? OTHER : STORMER, 1, i * 1_000_000L));
        }
        assertEquals(0, s.counter(0, StormCounter.STORMS), "100 in a second is the limit, no storm");
        s.admit(0, BROADCAST, STORMER, 1, 100_000_000L);
        assertEquals(1, s.counter(0, StormCounter.STORMS));
        assertEquals(1, s.counter(0, StormCounter.ACTIVE));
        assertEquals(STORMER, s.counter(0, StormCounter.START_SOURCE));
    }

    @Test
    void aStormEndsAfterAQuietSecondEvenWhenNoFrameComes() {
        StormControl s = control(broadcast(100, 100, StormSettings.Action.DROP));
        offer(s, BROADCAST, 1_000, 0, 3);
        assertEquals(1, s.counter(0, StormCounter.ACTIVE));
        s.tick(3 * SECOND + 1);
        assertEquals(1, s.counter(0, StormCounter.ACTIVE), "the second that just closed was a storm's");
        s.tick(4 * SECOND + 1);
        assertEquals(0, s.counter(0, StormCounter.ACTIVE), "a second without frames ends it");
        assertEquals(1, s.counter(0, StormCounter.ENDED));
        assertEquals(1_000, s.counter(0, StormCounter.PEAK_PPS));
        assertEquals(STORMER, s.counter(0, StormCounter.END_SOURCE));
        long duration = s.counter(0, StormCounter.LAST_DURATION_NANOS);
        assertEquals(3 * SECOND - 100_000_000L, duration, "from its 101st frame to the start of the quiet second");
    }

    @Test
    void theFallingLimitKeepsAStormGoingUntilTrafficFallsBelowIt() {
        StormControl s = control(broadcast(500, 100, StormSettings.Action.DROP));
        offer(s, BROADCAST, 2_000, 0, 2);
        assertEquals(1, s.counter(0, StormCounter.STORMS));
        offer(s, BROADCAST, 300, 2 * SECOND, 2);
        assertEquals(1, s.counter(0, StormCounter.ACTIVE), "300 a second is over the falling limit: the storm goes on");
        offer(s, BROADCAST, 50, 4 * SECOND, 2);
        assertEquals(0, s.counter(0, StormCounter.ACTIVE));
        assertEquals(1, s.counter(0, StormCounter.ENDED));
        assertEquals(1, s.counter(0, StormCounter.STORMS), "one storm, not two");
    }

    @Test
    void actionLogForwardsEverythingAndCountsTheExcess() {
        StormControl s = control(broadcast(500, 500, StormSettings.Action.LOG));
        List<Long> passed = offer(s, BROADCAST, 2_000, 0, 3);
        assertEquals(List.of(2_000L, 2_000L, 2_000L), passed);
        assertEquals(0, s.counter(0, StormCounter.DROPPED));
        long logged = s.counter(0, StormCounter.LOGGED);
        assertTrue(logged >= 6_000 - 2_000 - 10 && logged <= 6_000 - 2_000 + 10, "over the limit: " + logged);
        assertEquals(1, s.counter(0, StormCounter.STORMS));
    }

    @Test
    void aFrameRefusedByOneClassCostsItsOtherClassNothing() {
        StormControl s = control(broadcast(50, 50, StormSettings.Action.DROP),
                new StormSettings.Limit(0, StormClass.ARP, 10, 10, StormSettings.Action.DROP));
        // 100 ARP broadcasts in a second: the ARP bucket (10, and 10 a second) lets 19 through, and the
        // broadcast bucket pays for those 19 only; charged for all 100 it would have run dry.
        long through = offer(s, BROADCAST | ARP, 100, 0, 1).getFirst();
        assertEquals(19, through);
        assertEquals(100 - through, s.counter(s.bucket(0, StormClass.ARP), StormCounter.DROPPED));
        assertEquals(0, s.counter(s.bucket(0, StormClass.BROADCAST), StormCounter.DROPPED));
        int plain = 0;
        for (int i = 0; i < 60; i++) {
            plain += s.admit(0, BROADCAST, OTHER, 1, SECOND) ? 1 : 0;
        }
        assertEquals(50, plain, "the broadcast bucket is full again: a second's worth");
    }

    @Test
    void aFrameOneLimitDropsIsNotCountedAsLoggedByAnother() {
        StormControl s = control(broadcast(5, 5, StormSettings.Action.DROP),
                new StormSettings.Limit(0, StormClass.ARP, 5, 5, StormSettings.Action.LOG));
        int passed = 0;
        for (int i = 0; i < 10; i++) {
            passed += s.admit(0, BROADCAST | ARP, STORMER, 1, i) ? 1 : 0;
        }
        assertEquals(5, passed);
        assertEquals(5, s.counter(s.bucket(0, StormClass.BROADCAST), StormCounter.DROPPED));
        assertEquals(0, s.counter(s.bucket(0, StormClass.ARP), StormCounter.LOGGED), "those 5 were dropped, not forwarded");
        for (int i = 0; i < 10; i++) {
            assertTrue(s.admit(0, ARP, STORMER, 1, 100 + i), "unicast ARP meets the log-only limit alone");
        }
        assertEquals(10, s.counter(s.bucket(0, StormClass.ARP), StormCounter.LOGGED));
    }

    @Test
    void otherPortsAndClassesAreNotLimited() {
        StormControl s = control(broadcast(1, 1, StormSettings.Action.DROP));
        for (int i = 0; i < 100; i++) {
            assertTrue(s.admit(1, BROADCAST, STORMER, 1, i));
            assertTrue(s.admit(0, StormClass.MULTICAST.bit(), STORMER, 1, i));
            assertTrue(s.admit(0, 0, STORMER, 1, i));
        }
    }

    @Test
    void aSuperFrameCostsItsSegments() {
        StormControl s = control(new StormSettings.Limit(0, StormClass.MULTICAST, 10, 10, StormSettings.Action.DROP));
        assertTrue(s.admit(0, StormClass.MULTICAST.bit(), STORMER, 8, 0));
        assertFalse(s.admit(0, StormClass.MULTICAST.bit(), STORMER, 8, 1), "2 tokens left, 8 wanted");
        assertEquals(8, s.counter(0, StormCounter.DROPPED));
        assertTrue(s.admit(0, StormClass.MULTICAST.bit(), STORMER, 2, 2));
    }

    @Test
    void aReloadKeepsTheTotalsOfTheLimitsBothHave() {
        StormControl s = control(broadcast(100, 100, StormSettings.Action.DROP));
        offer(s, BROADCAST, 1_000, 0, 2);
        long dropped = s.counter(0, StormCounter.DROPPED);
        StormControl next = new StormControl(new StormSettings(List.of(
                new StormSettings.Limit(1, StormClass.ARP, 5, 5, StormSettings.Action.DROP),
                broadcast(200, 200, StormSettings.Action.DROP))), 2, 2 * SECOND, s);
        int b = next.bucket(0, StormClass.BROADCAST);
        assertEquals(dropped, next.counter(b, StormCounter.DROPPED));
        assertEquals(1, next.counter(b, StormCounter.ACTIVE), "the storm under way goes on");
        assertEquals(STORMER, next.counter(b, StormCounter.START_SOURCE));
        offer(next, BROADCAST, 1_000, 2 * SECOND, 1);
        assertEquals(1, next.counter(b, StormCounter.STORMS), "counted once in all");
        next.tick(4 * SECOND + 1);
        assertEquals(1, next.counter(b, StormCounter.ENDED));
        assertEquals(3 * SECOND - 100_000_000L, next.counter(b, StormCounter.LAST_DURATION_NANOS),
                "from its start under the old limit");
        assertEquals(0, next.counter(next.bucket(1, StormClass.ARP), StormCounter.DROPPED));
    }

    @Test
    void limitsAreCheckedWhenMade() {
        assertThrows(IllegalArgumentException.class, () -> broadcast(0, 0, StormSettings.Action.DROP));
        assertThrows(IllegalArgumentException.class, () -> broadcast(100, 101, StormSettings.Action.DROP));
        assertThrows(IllegalArgumentException.class, () -> new StormSettings(List.of(
                broadcast(100, 100, StormSettings.Action.DROP), broadcast(200, 200, StormSettings.Action.LOG))));
    }

    /** Storms beginning and ending, refusals and logging, across a million frames: nothing allocated. */
    @Test
    void admittingAndTickingAllocateNothing() {
        StormControl s = control(broadcast(1_000, 500, StormSettings.Action.DROP),
                new StormSettings.Limit(0, StormClass.ARP, 100, 100, StormSettings.Action.LOG));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] now = {0};
        Runnable run = () -> {
            for (int i = 0; i < 1_000_000; i++) {
                // 5,000 frames a second for one second in two, from eight sources: storms begin and end.
                now[0] += 200_000;
                if ((now[0] / SECOND) % 2 == 0) {
                    s.admit(0, i % 3 == 0 ? BROADCAST | ARP : BROADCAST, STORMER + (i & 7), 1, now[0]);
                }
                if (i % 500 == 0) {
                    s.tick(now[0]);
                }
            }
        };
        run.run();
        List<Long> windows = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            run.run();
            windows.add(threads.getCurrentThreadAllocatedBytes() - before);
            if (windows.getLast() == 0) {
                break;
            }
        }
        assertEquals(0, windows.getLast(), "bytes allocated per window: " + windows);
        assertTrue(s.counter(0, StormCounter.ENDED) > 10, "storms ended: " + s.counter(0, StormCounter.ENDED));
    }
}
