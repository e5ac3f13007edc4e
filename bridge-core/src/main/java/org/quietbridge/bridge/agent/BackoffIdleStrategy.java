package org.quietbridge.bridge.agent;

import java.util.concurrent.locks.LockSupport;

/**
 * Spins, then yields, then parks for exponentially longer up to a ceiling: near-spin latency
 * under load and little CPU when the wire is quiet.
 */
public final class BackoffIdleStrategy implements IdleStrategy {
    private final int maxSpins;
    private final int maxYields;
    private final long minParkNanos;
    private final long maxParkNanos;
    private int spins;
    private int yields;
    private long parkNanos;

    public BackoffIdleStrategy(int maxSpins, int maxYields, long minParkNanos, long maxParkNanos) {
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.minParkNanos = minParkNanos;
        this.maxParkNanos = maxParkNanos;
        this.parkNanos = minParkNanos;
    }

    /** Defaults: 100 spins, 10 yields, then parks from 1 µs up to 100 µs. */
    public BackoffIdleStrategy() {
        this(100, 10, 1_000, 100_000);
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            spins = 0;
            yields = 0;
            parkNanos = minParkNanos;
            return;
        }
        if (spins < maxSpins) {
            spins++;
            Thread.onSpinWait();
        } else if (yields < maxYields) {
            yields++;
            Thread.yield();
        } else {
            LockSupport.parkNanos(parkNanos);
            parkNanos = Math.min(parkNanos << 1, maxParkNanos);
        }
    }
}
