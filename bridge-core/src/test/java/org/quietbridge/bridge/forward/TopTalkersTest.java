package org.quietbridge.bridge.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class TopTalkersTest {
    private static final long MIN = 60_000_000_000L;

    @Test
    void ranksSourcesByDropsInTheWindow() {
        TopTalkers t = new TopTalkers(16);
        for (int i = 0; i < 5; i++) {
            t.record(0xA, 0);
        }
        for (int i = 0; i < 3; i++) {
            t.record(0xB, 2 * MIN);
        }
        t.record(0xC, 9 * MIN);
        assertEquals(List.of(new TopTalkers.Talker(0xA, 5), new TopTalkers.Talker(0xB, 3),
                new TopTalkers.Talker(0xC, 1)), t.top(9 * MIN, 10, 10));
        // The last 5 minutes (minutes 5..9) only hold C's drop.
        assertEquals(List.of(new TopTalkers.Talker(0xC, 1)), t.top(9 * MIN, 5, 10));
        assertEquals(1, t.top(9 * MIN, 10, 1).size());
    }

    @Test
    void oldMinutesDoNotCountAgainWhenTheRingWrapsAround() {
        TopTalkers t = new TopTalkers(16);
        t.record(0xA, 0);
        t.record(0xA, 60 * MIN); // same ring cell, an hour later
        assertEquals(List.of(new TopTalkers.Talker(0xA, 1)), t.top(60 * MIN, 60, 10));
    }

    @Test
    void idleSourcesAreSweptAndAFullTableCountsTheRest() {
        TopTalkers t = new TopTalkers(4);
        for (long mac = 1; mac <= 6; mac++) {
            t.record(mac, 0);
        }
        assertEquals(4, t.size());
        assertEquals(2, t.untracked());
        t.sweep(61 * MIN, 1024);
        assertEquals(0, t.size());
        t.record(7, 61 * MIN);
        assertEquals(List.of(new TopTalkers.Talker(7, 1)), t.top(61 * MIN, 10, 10));
    }

    @Test
    void survivesChurnWithoutLosingCounts() {
        TopTalkers t = new TopTalkers(64);
        long now = 0;
        for (int round = 0; round < 500; round++) {
            now += MIN / 2;
            for (long mac = 0; mac < 40; mac++) {
                t.record(1000 + (mac + round) % 97, now);
            }
            t.sweep(now, 16);
        }
        long total = 0;
        for (TopTalkers.Talker x : t.top(now, 60, 1000)) {
            total += x.droppedFrames();
        }
        assertTrue(total > 0 && total + t.untracked() <= 500L * 40);
    }
}
