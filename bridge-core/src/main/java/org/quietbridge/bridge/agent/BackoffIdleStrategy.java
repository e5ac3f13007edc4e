package org.quietbridge.bridge.agent;

import java.util.concurrent.locks.LockSupport;

/**
 * Spins while the wire was busy moments ago, then yields, then parks for exponentially longer
 * up to a ceiling: spin latency under any real load, little CPU on a silent wire.
 *
 * <p>Why spin for a while (by default 50 ms after the last frame) rather than a fixed number
 * of rounds: waking a sleeping thread costs tens of microseconds, and much more on a virtual
 * machine, where an idle vCPU must be woken by the host. That cost lands on every frame at
 * light load and dominates the latency a bridge adds (measured with bench/lab-throughput:
 * 0.12 ms average RTT through the bridge when it parked after 100 empty spins, 0.03 ms when it
 * spins). A wire carrying more than about 20 frames a second never lets the bridge sleep; a
 * silent one costs the spin window once, then next to nothing.
 */
public final class BackoffIdleStrategy implements IdleStrategy {
    public static final long DEFAULT_SPIN_NANOS = 50_000_000L;

    private final long spinNanos;
    private final int maxYields;
    private final long minParkNanos;
    private final long maxParkNanos;
    private long lastWork = System.nanoTime();
    private int yields;
    private long parkNanos;

    /**
     * @param spinNanos how long after the last work to keep spinning
     * @param maxYields yields before the first park
     */
    public BackoffIdleStrategy(long spinNanos, int maxYields, long minParkNanos, long maxParkNanos) {
        this.spinNanos = spinNanos;
        this.maxYields = maxYields;
        this.minParkNanos = minParkNanos;
        this.maxParkNanos = maxParkNanos;
        this.parkNanos = minParkNanos;
    }

    /** Defaults: spin 50 ms after the last frame, 10 yields, then park from 50 µs up to 1 ms. */
    public BackoffIdleStrategy() {
        this(DEFAULT_SPIN_NANOS, 10, 50_000, 1_000_000);
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            lastWork = System.nanoTime();
            yields = 0;
            parkNanos = minParkNanos;
            return;
        }
        if (System.nanoTime() - lastWork < spinNanos) {
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
