package org.quietbridge.bridge.forward;

import java.io.IOException;

/**
 * The kernel's stand-in for the data plane (docs/ARCHITECTURE.md, "Failover"): while the data plane
 * holds the gate, the kernel leaves the ports to it; when the holds stop for longer than
 * {@link #timeoutNanos()} (the process died, or its data plane stands still), the kernel forwards
 * between the ports itself, with the rules it can carry. The data-plane thread holds it from its own
 * loop, so a loop that is stuck cannot keep it closed. Implementations allocate nothing in
 * {@link #hold()}.
 */
public interface StandbyGate extends AutoCloseable {
    /** How long one hold keeps the kernel out. */
    long timeoutNanos();

    /**
     * Keeps the kernel out for another {@link #timeoutNanos()}; takes effect before it returns. Returns
     * false when the kernel refused it (then the gate goes on expiring as before).
     */
    boolean hold() throws IOException;

    /**
     * Whether the last hold is still in force, as the kernel says: the kernel has not forwarded since it.
     * The data plane asks when it comes back to the gate late, before it holds again, so that it drops as
     * forwarded by the kernel only what the kernel may really have forwarded. False when the gate cannot
     * tell (the caller then assumes the worst). Allocates nothing.
     */
    default boolean stillHeld() throws IOException {
        return false;
    }

    /** Lets the kernel forward at once (a clean stop). */
    void release() throws IOException;

    /** Holds the kernel refused, in total. */
    long errors();

    @Override
    void close();
}
