package org.quietbridge.cli;

import java.util.Locale;

import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.bridge.forward.FailoverCounter;

/**
 * The lines {@code run} logs when the kernel's stand-in takes over from the data plane or gives back:
 * polled once a second from the main thread, which is not the data plane, so a data plane that stands
 * still is seen standing still.
 */
final class FailoverLog {
    private final BridgeAgent agent;
    private boolean kernelForwards;
    private long stalls;
    private long stalledNanos;
    private long gateErrors;

    FailoverLog(BridgeAgent agent) {
        this.agent = agent;
        this.stalls = agent.counter(FailoverCounter.TAKEN_AFTER_STALL);
        this.stalledNanos = agent.counter(FailoverCounter.STALLED_NANOS);
    }

    /** Whether the kernel refused holds since the last call (the stand-in's table is gone, or broken). */
    boolean holdsRefused() {
        long errors = agent.counter(FailoverCounter.GATE_ERRORS);
        boolean rose = errors > gateErrors;
        gateErrors = errors;
        return rose;
    }

    /** A line to log when something changed since the last poll, else null. */
    String poll(long nowNanos) {
        if (!agent.hasStandby()) {
            return null;
        }
        boolean forwards = agent.kernelForwards(nowNanos);
        long newStalls = agent.counter(FailoverCounter.TAKEN_AFTER_STALL);
        long newStalled = agent.counter(FailoverCounter.STALLED_NANOS);
        String line = null;
        if (newStalls > stalls) {
            line = String.format(Locale.ROOT, "failover: the data plane stood still; the kernel forwarded for %.0f ms,"
                    + " and the data plane has taken the ports back", (newStalled - stalledNanos) / 1e6);
        } else if (forwards && !kernelForwards) {
            line = "failover: the data plane stands still; the kernel forwards between the ports";
        }
        kernelForwards = forwards;
        stalls = newStalls;
        stalledNanos = newStalled;
        return line;
    }
}
