package org.quietbridge.bridge.forward;

/** What the data plane did with the kernel's stand-in ({@link StandbyGate}). Ids and labels are stable. */
public enum FailoverCounter {
    /** The data plane took the ports from the kernel when it started. */
    TAKEN_AT_START(0, "taken_at_start", "the data plane took the ports from the kernel at start"),
    /** The data plane stood still longer than the gate's timeout, the kernel forwarded, and the data plane took back. */
    TAKEN_AFTER_STALL(1, "taken_after_stall", "the kernel forwarded while the data plane stood still, and gave back"),
    /** The data plane handed the ports to the kernel when it stopped cleanly. */
    RELEASED_AT_STOP(2, "released_at_stop", "the data plane handed the ports to the kernel when it stopped"),
    /** How long the kernel forwarded during stalls, in nanoseconds (about: from the gate's expiry to the take-back). */
    STALLED_NANOS(3, "stalled_nanos", "nanoseconds the kernel forwarded while the data plane stood still"),
    /** Holds the kernel refused. */
    GATE_ERRORS(4, "gate_errors", "holds of the gate the kernel refused");

    private final int id;
    private final String label;
    private final String help;

    FailoverCounter(int id, String label, String help) {
        this.id = id;
        this.label = label;
        this.help = help;
    }

    public int id() {
        return id;
    }

    public String label() {
        return label;
    }

    public String help() {
        return help;
    }
}
