package org.quietbridge.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting on a condition with a deadline: the only way these tests wait. A condition that
 * never comes true fails the test with what was awaited and, where given, what was seen.
 */
public final class Await {
    /** Between two looks at a condition: short against the test's limits, long against a busy loop. */
    private static final Duration POLL = Duration.ofMillis(25);

    private Await() {
    }

    /** Waits until {@code condition} holds; fails after {@code limit}, saying {@code what} was awaited. */
    public static void until(Duration limit, String what, BooleanSupplier condition) {
        until(limit, () -> what, condition);
    }

    /** {@link #until(Duration, String, BooleanSupplier)} with a message built at failure time (it may show state). */
    public static void until(Duration limit, Supplier<String> what, BooleanSupplier condition) {
        value(limit, what, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    /** Waits until {@code probe} yields a value and returns it; fails after {@code limit}. */
    public static <T> T value(Duration limit, Supplier<String> what, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Optional<T> seen = probe.get();
            if (seen.isPresent()) {
                return seen.get();
            }
            if (System.nanoTime() - deadline > 0) {
                return fail("timed out after " + limit.toMillis() + " ms waiting for " + what.get());
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail("interrupted while waiting for " + what.get(), e);
            }
        }
    }
}
