package org.quietbridge.bridge.forward;

/**
 * How busy the data-plane thread is, for headroom: the share of time it spends forwarding rather than
 * idle, and how many frames each busy round takes (VPP's "vectors per call"). A bridge near its limit
 * shows both rising before it loses frames. Ids and labels are stable.
 */
public enum LoadCounter {
    /** Rounds that forwarded at least one frame. */
    BUSY_ROUNDS(0, "busy_rounds", "data-plane rounds that forwarded frames"),
    /** Frames those rounds took from the RX rings. */
    FRAMES(1, "frames", "frames taken from the RX rings (super-frames count once)"),
    /** Nanoseconds spent in those rounds. */
    BUSY_NANOS(2, "busy_nanos", "nanoseconds the data-plane thread spent forwarding");

    private final int id;
    private final String label;
    private final String help;

    LoadCounter(int id, String label, String help) {
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
