package org.quietbridge.bridge.forward;

import java.util.Arrays;
import java.util.List;

/**
 * Storm control: a token bucket per configured (ingress port, class), as a switch's storm control has, in
 * the data plane and without allocation.
 *
 * <p><b>Buckets.</b> A bucket fills at the limit's rate and holds one second's worth: after a quiet
 * second a storm's first second passes up to twice the limit (the burst), and from then on the limit.
 * A smaller burst would let short bursts of an ordinary second through and still cut steady traffic
 * just over the limit; one second is what switches' one-second intervals amount to. Credit is kept in
 * token-nanoseconds (tokens times 10^9), so the arithmetic is exact in {@code long}s.
 *
 * <p><b>Storms.</b> A storm begins the moment more than the limit arrives within one second (the
 * intervals are a second long and follow each other), and ends after a second in which at most the
 * falling limit arrived. Each bucket tracks its heaviest sources (space-saving, {@value #TOP_SLOTS} slots)
 * over the second a storm begins in and then over the whole storm, to name its top source MAC.
 *
 * <p>The data-plane thread calls {@link #admit} and {@link #tick}; any thread reads the counters.
 */
public final class StormControl {
    static final long SECOND = 1_000_000_000L;
    static final int TOP_SLOTS = 8;
    private static final int CLASSES = StormClass.values().length;

    private final List<StormSettings.Limit> limits;
    /** port * CLASSES + class: the bucket, or -1. */
    private final int[] bucketOf;
    /** Bit p: port p has a limit. */
    private final long limitedPorts;
    private final long[] pps;
    private final long[] falling;
    private final boolean[] drops;
    private final long[] credit;
    private final long[] refilled;
    private final long[] intervalStart;
    private final long[] offered;
    private final long[] stormStart;
    private final long[] topMacs;
    private final long[] topCounts;
    private final CounterArray[] counters;
    /** The buckets one frame passes, at most one per class. */
    private final int[] passing = new int[CLASSES];
    /** The log-only buckets one frame exceeds. */
    private final int[] overLog = new int[CLASSES];

    /**
     * @param settings  the limits
     * @param portCount the bridge's ports
     * @param now       the clock (nanoseconds); every bucket starts full
     * @param previous  the storm control this one replaces (a reload), whose totals go on for the limits
     *                  both have; or null
     */
    public StormControl(StormSettings settings, int portCount, long now, StormControl previous) {
        this.limits = settings.limits();
        int n = limits.size();
        this.bucketOf = new int[portCount * CLASSES];
        Arrays.fill(bucketOf, -1);
        this.pps = new long[n];
        this.falling = new long[n];
        this.drops = new boolean[n];
        this.credit = new long[n];
        this.refilled = new long[n];
        this.intervalStart = new long[n];
        this.offered = new long[n];
        this.stormStart = new long[n];
        this.topMacs = new long[n * TOP_SLOTS];
        this.topCounts = new long[n * TOP_SLOTS];
        this.counters = new CounterArray[n];
        long ports = 0;
        for (int b = 0; b < n; b++) {
            StormSettings.Limit limit = limits.get(b);
            if (limit.port() < 0 || limit.port() >= portCount) {
                throw new IllegalArgumentException("no port " + limit.port());
            }
            bucketOf[limit.port() * CLASSES + limit.stormClass().ordinal()] = b;
            ports |= 1L << limit.port();
            pps[b] = limit.pps();
            falling[b] = limit.fallingPps();
            drops[b] = limit.action() == StormSettings.Action.DROP;
            credit[b] = limit.pps() * SECOND;
            refilled[b] = now;
            intervalStart[b] = now;
            counters[b] = new CounterArray(StormCounter.values().length);
            int old = previous == null ? -1 : previous.bucket(limit.port(), limit.stormClass());
            if (old >= 0) {
                // Everything but the bucket goes on: the totals, and a storm under way with its second, its
                // start, peak and sources; it ends when a second is quiet under the new falling limit.
                for (StormCounter c : StormCounter.values()) {
                    counters[b].set(c.id(), previous.counter(old, c));
                }
                stormStart[b] = previous.stormStart[old];
                intervalStart[b] = previous.intervalStart[old];
                offered[b] = previous.offered[old];
                System.arraycopy(previous.topMacs, old * TOP_SLOTS, topMacs, b * TOP_SLOTS, TOP_SLOTS);
                System.arraycopy(previous.topCounts, old * TOP_SLOTS, topCounts, b * TOP_SLOTS, TOP_SLOTS);
            }
        }
        this.limitedPorts = ports;
    }

    /** The limits, in the order of their buckets. */
    public List<StormSettings.Limit> limits() {
        return limits;
    }

    /** The bucket of a port's class, or -1 when it has no limit. */
    public int bucket(int port, StormClass stormClass) {
        return bucketOf[port * CLASSES + stormClass.ordinal()];
    }

    /** A bucket's counter; any thread. */
    public long counter(int bucket, StormCounter counter) {
        return counters[bucket].get(counter.id());
    }

    /** Whether any limit applies to frames received on {@code port}. */
    public boolean limits(int port) {
        return (limitedPorts & (1L << port)) != 0;
    }

    /**
     * A frame of {@code classes} (a set of {@link StormClass} bits) from {@code src} came in on
     * {@code port}, standing for {@code segments} wire frames: whether it may pass. It passes when every
     * bucket it meets with action drop holds a token per segment; then each bucket gives them, and a
     * log-only bucket that had none counts it as logged. A frame refused is counted (dropped) on the first
     * bucket that refused it only, and costs no bucket anything.
     */
    public boolean admit(int port, int classes, long src, int segments, long now) {
        if (classes == 0 || !limits(port)) {
            return true;
        }
        long cost = segments * SECOND;
        int n = 0;
        int refusedBy = -1;
        int over = 0;
        for (int k = classes; k != 0; k &= k - 1) {
            int b = bucketOf[port * CLASSES + Integer.numberOfTrailingZeros(k)];
            if (b < 0) {
                continue;
            }
            roll(b, now);
            refill(b, now);
            offered[b] += segments;
            countSource(b, src, segments);
            CounterArray c = counters[b];
            if (c.get(StormCounter.ACTIVE.id()) == 0 && offered[b] > pps[b]) {
                begin(b, now);
            }
            if (credit[b] >= cost) {
                passing[n++] = b;
            } else {
                if (c.get(StormCounter.ACTIVE.id()) == 1) {
                    c.add(StormCounter.STORM_EXCESS.id(), segments);
                }
                if (drops[b]) {
                    refusedBy = refusedBy < 0 ? b : refusedBy;
                } else {
                    overLog[over++] = b; // counted as logged once the frame is known to pass
                }
            }
        }
        if (refusedBy >= 0) {
            counters[refusedBy].add(StormCounter.DROPPED.id(), segments);
            return false;
        }
        for (int i = 0; i < over; i++) {
            counters[overLog[i]].add(StormCounter.LOGGED.id(), segments);
        }
        for (int i = 0; i < n; i++) {
            credit[passing[i]] -= cost;
        }
        return true;
    }

    /** Closes the seconds that have passed in every bucket, so that a storm that stopped dead ends too. */
    public void tick(long now) {
        for (int b = 0; b < pps.length; b++) {
            roll(b, now);
        }
    }

    private void refill(int b, long now) {
        long elapsed = Math.min(now - refilled[b], SECOND);
        refilled[b] = now;
        if (elapsed > 0) {
            credit[b] = Math.min(pps[b] * SECOND, credit[b] + elapsed * pps[b]);
        }
    }

    /**
     * When the bucket's second is over: a storm's peak takes the second's count, and the storm ends if the
     * second (or one after it, when more than a second has passed) was quiet; outside a storm the source
     * tracker starts again.
     */
    private void roll(int b, long now) {
        long since = now - intervalStart[b];
        if (since < SECOND) {
            return;
        }
        CounterArray c = counters[b];
        if (c.get(StormCounter.ACTIVE.id()) == 1) {
            if (offered[b] > c.get(StormCounter.PEAK_PPS.id())) {
                c.set(StormCounter.PEAK_PPS.id(), offered[b]);
            }
            boolean quiet = offered[b] <= falling[b];
            if (quiet || since >= 2 * SECOND) {
                // It ended where the first quiet second began: this one, or (after a silence) the next.
                long end = quiet ? intervalStart[b] : intervalStart[b] + SECOND;
                c.set(StormCounter.END_SOURCE.id(), topSource(b));
                c.set(StormCounter.LAST_DURATION_NANOS.id(), Math.max(0, end - stormStart[b]));
                c.set(StormCounter.ACTIVE.id(), 0);
                c.increment(StormCounter.ENDED.id());
                clearSources(b);
            }
        } else {
            clearSources(b);
        }
        intervalStart[b] += since - since % SECOND;
        offered[b] = 0;
    }

    private void begin(int b, long now) {
        CounterArray c = counters[b];
        stormStart[b] = now;
        c.set(StormCounter.START_SOURCE.id(), topSource(b));
        c.set(StormCounter.PEAK_PPS.id(), offered[b]);
        c.set(StormCounter.STORM_EXCESS.id(), 0);
        c.set(StormCounter.ACTIVE.id(), 1);
        c.increment(StormCounter.STORMS.id());
    }

    /** Space-saving: a tracked source counts on; a new one takes a free slot, or the smallest one's place. */
    private void countSource(int b, long src, int segments) {
        int base = b * TOP_SLOTS;
        int smallest = base;
        for (int i = base; i < base + TOP_SLOTS; i++) {
            if (topMacs[i] == src && topCounts[i] > 0) {
                topCounts[i] += segments;
                return;
            }
            if (topCounts[i] < topCounts[smallest]) {
                smallest = i;
            }
        }
        topMacs[smallest] = src;
        topCounts[smallest] += segments;
    }

    private long topSource(int b) {
        int base = b * TOP_SLOTS;
        int top = base;
        for (int i = base + 1; i < base + TOP_SLOTS; i++) {
            if (topCounts[i] > topCounts[top]) {
                top = i;
            }
        }
        return topMacs[top];
    }

    private void clearSources(int b) {
        Arrays.fill(topCounts, b * TOP_SLOTS, (b + 1) * TOP_SLOTS, 0L);
    }
}
