package org.quietbridge.bridge.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class ForwardingTableTest {
    private static final long SEC = 1_000_000_000L;
    private static final long A = 0x0200_0000_000AL;
    private static final long B = 0x0200_0000_000BL;

    @Test
    void learnsAndLooksUpPerMacAndVlan() {
        ForwardingTable t = new ForwardingTable(16, 300 * SEC);
        assertEquals(ForwardingTable.LEARNED, t.learn(A, -1, 0, 0));
        assertEquals(ForwardingTable.LEARNED, t.learn(A, 10, 1, 0));
        assertEquals(0, t.lookup(A, -1, SEC));
        assertEquals(1, t.lookup(A, 10, SEC));
        assertEquals(-1, t.lookup(A, 11, SEC));
        assertEquals(-1, t.lookup(B, -1, SEC));
        assertEquals(2, t.size());
    }

    @Test
    void allZeroMacUntaggedIsAnOrdinaryKey() {
        ForwardingTable t = new ForwardingTable(4, SEC);
        assertEquals(ForwardingTable.LEARNED, t.learn(0, -1, 1, 0));
        assertEquals(1, t.lookup(0, -1, 0));
        assertEquals(-1, t.lookup(0, 0, 0));
    }

    @Test
    void refreshKeepsAnEntryAliveAndAgingForgetsIt() {
        ForwardingTable t = new ForwardingTable(16, 300 * SEC);
        t.learn(A, -1, 0, 0);
        assertEquals(ForwardingTable.REFRESHED, t.learn(A, -1, 0, 200 * SEC));
        assertEquals(0, t.lookup(A, -1, 450 * SEC));
        assertEquals(-1, t.lookup(A, -1, 501 * SEC));
        assertEquals(1, t.sweep(501 * SEC, 1024));
        assertEquals(0, t.size());
    }

    @Test
    void followsAMacMoveAndSaysSo() {
        ForwardingTable t = new ForwardingTable(16, 300 * SEC);
        t.learn(A, -1, 0, 0);
        assertEquals(ForwardingTable.MOVED, t.learn(A, -1, 1, SEC));
        assertEquals(1, t.lookup(A, -1, SEC));
    }

    @Test
    void aFullTableLearnsNothingNewButKeepsWhatItHas() {
        ForwardingTable t = new ForwardingTable(3, 300 * SEC);
        t.addStatic(B, -1, 1);
        t.learn(0x10, -1, 0, 0);
        t.learn(0x11, -1, 0, 0);
        for (long mac = 0x100; mac < 0x10_100; mac++) {
            assertEquals(ForwardingTable.TABLE_FULL, t.learn(mac, -1, 0, SEC));
        }
        assertEquals(3, t.size());
        assertEquals(1, t.lookup(B, -1, SEC));
        assertEquals(0, t.lookup(0x10, -1, SEC));
        assertEquals(ForwardingTable.REFRESHED, t.learn(0x11, -1, 0, SEC));
    }

    @Test
    void staticEntriesNeverAgeAndNeverMove() {
        ForwardingTable t = new ForwardingTable(8, SEC);
        t.addStatic(A, 5, 2);
        assertEquals(ForwardingTable.STATIC_CONFLICT, t.learn(A, 5, 0, 0));
        assertEquals(2, t.lookup(A, 5, 1_000 * SEC));
        assertEquals(0, t.sweep(1_000 * SEC, 1024));
        assertEquals(1, t.staticEntries());
        assertThrows(IllegalArgumentException.class, () -> new ForwardingTable(0, SEC));
    }

    @Test
    void flushingAPortForgetsOnlyItsLearnedEntries() {
        ForwardingTable t = new ForwardingTable(64, 300 * SEC);
        for (int i = 0; i < 20; i++) {
            t.learn(0x100 + i, -1, i % 2, 0);
        }
        t.addStatic(A, -1, 1);
        assertEquals(10, t.flushPort(1));
        assertEquals(11, t.size());
        assertEquals(1, t.lookup(A, -1, 0));
        for (int i = 0; i < 20; i++) {
            assertEquals(i % 2 == 0 ? 0 : -1, t.lookup(0x100 + i, -1, 0));
        }
    }

    /** Random learn/age/sweep against a HashMap model: deletions must not break probe runs. */
    @Test
    void agreesWithAModelUnderRandomChurn() {
        Random r = new Random(42);
        ForwardingTable t = new ForwardingTable(512, 10 * SEC);
        Map<Long, long[]> model = new HashMap<>(); // key -> {port, lastSeen}
        long now = 0;
        for (int step = 0; step < 200_000; step++) {
            now += r.nextInt(2_000_000) * 10L;
            long mac = r.nextInt(2_000);
            int vlan = r.nextInt(3) - 1;
            int port = r.nextInt(4);
            long k = ForwardingTable.key(mac, vlan);
            long[] m = model.get(k);
            boolean live = m != null && now - m[1] <= 10 * SEC;
            if (m != null && !live) {
                model.remove(k);
                m = null;
            }
            int outcome = t.learn(mac, vlan, port, now);
            if (outcome != ForwardingTable.TABLE_FULL) {
                model.put(k, new long[] {port, now});
            }
            if (r.nextInt(16) == 0) {
                t.sweep(now, 64);
            }
            long probeMac = r.nextInt(2_000);
            int probeVlan = r.nextInt(3) - 1;
            long[] expected = model.get(ForwardingTable.key(probeMac, probeVlan));
            int want = expected != null && now - expected[1] <= 10 * SEC ? (int) expected[0] : -1;
            assertEquals(want, t.lookup(probeMac, probeVlan, now), "step " + step);
        }
    }
}
