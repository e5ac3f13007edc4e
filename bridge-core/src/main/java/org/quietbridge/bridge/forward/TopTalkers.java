package org.quietbridge.bridge.forward;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which source MACs sent the most dropped frames lately: the noisy clients an operator wants to
 * go and fix. Counts are kept per source per minute for the last {@link #MINUTES} minutes.
 *
 * <p>A fixed open-addressing table of primitive arrays (no allocation when recording), owned
 * by the data-plane thread. Entries idle for longer than the window are swept out a few slots
 * per round. When the table is full, new sources are counted as {@link #untracked()}.
 */
public final class TopTalkers {
    public static final int MINUTES = 60;
    private static final long NANOS_PER_MINUTE = 60_000_000_000L;
    private static final long USED = 1L << 63;

    private final int capacity;
    private final int mask;
    private final long[] keys;
    private final long[] lastMinute;
    private final String[] lastRule;
    private final long[] counts; // slot * MINUTES + (minute % MINUTES)
    private final long[] minuteOf; // which absolute minute each count cell holds
    private int size;
    private long untracked;
    private int sweepCursor;

    /** @param capacity most sources tracked at once (rounded up to a power of two, load 1/2) */
    public TopTalkers(int capacity) {
        this.capacity = capacity;
        int slots = Integer.highestOneBit(Math.max(4, capacity) * 2 - 1) << 1;
        this.mask = slots - 1;
        this.keys = new long[slots];
        this.lastMinute = new long[slots];
        this.lastRule = new String[slots];
        this.counts = new long[slots * MINUTES];
        this.minuteOf = new long[slots * MINUTES];
    }


    /** Counts one dropped frame from {@code mac}. Data-plane thread. */
    public void record(long mac, long nowNanos) {
        record(mac, nowNanos, null);
    }

    /**
     * Counts one dropped frame from {@code mac}, dropped by the rule named {@code rule} (kept as
     * the source's last rule; the name is the compiled rule set's own string, so nothing is
     * allocated). Data-plane thread.
     */
    public void record(long mac, long nowNanos, String rule) {
        long key = USED | mac;
        long minute = nowNanos / NANOS_PER_MINUTE;
        int i = LinearProbing.hash(key) & mask;
        while (keys[i] != 0 && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (keys[i] == 0) {
            if (size >= capacity) {
                untracked++;
                return;
            }
            keys[i] = key;
            size++;
        }
        lastMinute[i] = minute;
        lastRule[i] = rule;
        int cell = i * MINUTES + (int) (minute % MINUTES);
        if (minuteOf[cell] != minute) {
            minuteOf[cell] = minute;
            counts[cell] = 0;
        }
        counts[cell]++;
    }

    /** Forgets sources with no drop in the whole window, {@code maxSlots} slots at a time. */
    public void sweep(long nowNanos, int maxSlots) {
        long minute = nowNanos / NANOS_PER_MINUTE;
        for (int n = 0; n < maxSlots; n++) {
            int i = sweepCursor;
            if (keys[i] != 0 && minute - lastMinute[i] >= MINUTES) {
                remove(i);
                continue;
            }
            sweepCursor = (i + 1) & mask;
        }
    }

    private void remove(int i) {
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            long k = keys[j];
            if (k == 0) {
                break;
            }
            int home = LinearProbing.hash(k) & mask;
            if (LinearProbing.mayFill(hole, j, home)) {
                keys[hole] = k;
                lastMinute[hole] = lastMinute[j];
                lastRule[hole] = lastRule[j];
                System.arraycopy(counts, j * MINUTES, counts, hole * MINUTES, MINUTES);
                System.arraycopy(minuteOf, j * MINUTES, minuteOf, hole * MINUTES, MINUTES);
                hole = j;
            }
        }
        keys[hole] = 0;
        lastRule[hole] = null;
        java.util.Arrays.fill(counts, hole * MINUTES, hole * MINUTES + MINUTES, 0);
        java.util.Arrays.fill(minuteOf, hole * MINUTES, hole * MINUTES + MINUTES, 0);
        size--;
    }

    /** A source and its dropped frames in the window. */
    public record Talker(long mac, long droppedFrames, String lastRule) {
        public Talker(long mac, long droppedFrames) {
            this(mac, droppedFrames, null);
        }
    }

    /**
     * The {@code limit} sources with the most drops in the last {@code minutes} minutes (the
     * current minute included), most first. Data-plane thread (through BridgeAgent.submit);
     * allocates, as control-plane work may.
     */
    public List<Talker> top(long nowNanos, int minutes, int limit) {
        int window = Math.max(1, Math.min(MINUTES, minutes));
        long minute = nowNanos / NANOS_PER_MINUTE;
        List<Talker> all = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == 0) {
                continue;
            }
            long total = 0;
            for (int m = 0; m < MINUTES; m++) {
                int cell = i * MINUTES + m;
                long age = minute - minuteOf[cell];
                if (counts[cell] > 0 && age >= 0 && age < window) {
                    total += counts[cell];
                }
            }
            if (total > 0) {
                all.add(new Talker(keys[i] & 0xFFFF_FFFF_FFFFL, total, lastRule[i]));
            }
        }
        all.sort(Comparator.comparingLong(Talker::droppedFrames).reversed().thenComparingLong(Talker::mac));
        return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
    }

    public int size() {
        return size;
    }

    /** Drops from sources that found the table full. */
    public long untracked() {
        return untracked;
    }
}
