package org.quietbridge.bridge.forward;

/**
 * A fixed-size hash index from a 63-bit key to a non-negative int, over primitive arrays:
 * open addressing with linear probing, deletion by backward shift (no tombstones), so lookups,
 * inserts and removals allocate nothing. The caller bounds the number of keys; the index is
 * sized for twice that.
 */
final class SlotIndex {
    static final int MISSING = -1;
    /** Marks a used cell, so that key 0 is a valid key. */
    private static final long USED = 1L << 63;

    private final int mask;
    private final long[] keys;
    private final int[] values;

    /** @param maxKeys the most keys the caller will ever hold at once */
    SlotIndex(int maxKeys) {
        int capacity = Integer.highestOneBit(Math.max(4, maxKeys) * 2 - 1) << 1;
        this.mask = capacity - 1;
        this.keys = new long[capacity];
        this.values = new int[capacity];
    }


    private int cellOf(long key) {
        int i = LinearProbing.hash(key) & mask;
        while (keys[i] != 0) {
            if (keys[i] == key) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1 - i;
    }

    /** The value of {@code key}, or {@link #MISSING}. */
    int get(long key) {
        int cell = cellOf(key | USED);
        return cell < 0 ? MISSING : values[cell];
    }

    /** Adds or replaces; the caller keeps the number of keys within its bound. */
    void put(long key, int value) {
        long k = key | USED;
        int cell = cellOf(k);
        if (cell < 0) {
            cell = -1 - cell;
            keys[cell] = k;
        }
        values[cell] = value;
    }

    /** Removes {@code key} if present. */
    void remove(long key) {
        int cell = cellOf(key | USED);
        if (cell < 0) {
            return;
        }
        int hole = cell;
        int j = cell;
        while (true) {
            j = (j + 1) & mask;
            long k = keys[j];
            if (k == 0) {
                break;
            }
            int home = LinearProbing.hash(k) & mask;
            if (LinearProbing.mayFill(hole, j, home)) {
                keys[hole] = k;
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = 0;
    }
}
