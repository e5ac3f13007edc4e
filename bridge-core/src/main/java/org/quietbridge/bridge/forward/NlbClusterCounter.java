package org.quietbridge.bridge.forward;

/**
 * Counters kept for each NLB cluster. Ids and labels are stable. In {@link NlbMode#MONITOR}
 * {@link #CONTAINED} and {@link #FORWARDED} count what containment would have done; every
 * frame was flooded as before.
 */
public enum NlbClusterCounter {
    /** Arrived on a member port with no other member port to go to: stopped at the bridge. */
    CONTAINED(0, "contained", "frames kept off every non-member port (stopped at the bridge)"),
    /** Sent to the member ports only (never the ingress port, never a non-member port). */
    FORWARDED(1, "forwarded", "frames sent to member ports only"),
    /** The cluster's location was unknown (not learned yet, or aged out): flooded as before. */
    FLOODED_UNKNOWN(2, "flooded_unknown", "frames flooded while the cluster's location was unknown"),
    /** A port joined the member set of a cluster that was already located elsewhere. */
    MOVES(3, "moves", "location changes: a port joined a cluster already located elsewhere");

    private final int id;
    private final String label;
    private final String help;

    NlbClusterCounter(int id, String label, String help) {
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

    static {
        NlbClusterCounter[] all = values();
        for (int i = 0; i < all.length; i++) {
            if (all[i].id != i) {
                throw new ExceptionInInitializerError("NlbClusterCounter ids must equal ordinals: " + all[i]);
            }
        }
    }
}
