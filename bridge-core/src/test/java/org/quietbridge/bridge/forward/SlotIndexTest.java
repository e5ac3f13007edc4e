package org.quietbridge.bridge.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SlotIndexTest {

    @Test
    void agreesWithAHashMapThroughInsertsReplacementsAndRemovals() {
        Random random = new Random(4);
        int bound = 64;
        SlotIndex index = new SlotIndex(bound);
        Map<Long, Integer> expected = new HashMap<>();
        List<Long> keys = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // Few distinct low bits, so probe runs are long and backward shifts wrap around.
            keys.add((long) random.nextInt(1 << 12) << 20 | (i == 0 ? 0 : random.nextInt(8)));
        }
        for (int step = 0; step < 200_000; step++) {
            long key = keys.get(random.nextInt(keys.size()));
            if (random.nextBoolean() && (expected.size() < bound || expected.containsKey(key))) {
                int value = random.nextInt(1000);
                index.put(key, value);
                expected.put(key, value);
            } else {
                index.remove(key);
                expected.remove(key);
            }
            long probe = keys.get(random.nextInt(keys.size()));
            assertEquals(expected.getOrDefault(probe, SlotIndex.MISSING), index.get(probe), "step " + step);
        }
        for (long key : keys) {
            assertEquals(expected.getOrDefault(key, SlotIndex.MISSING), index.get(key));
        }
    }

    @Test
    void keyZeroIsAKeyLikeAnyOther() {
        SlotIndex index = new SlotIndex(4);
        assertEquals(SlotIndex.MISSING, index.get(0));
        index.put(0, 7);
        assertEquals(7, index.get(0));
        index.remove(0);
        assertEquals(SlotIndex.MISSING, index.get(0));
    }
}
