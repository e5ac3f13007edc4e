package org.quietbridge.bridge.forward;

/** Counters of the NLB cluster table as a whole. Ids and labels are stable. */
public enum NlbCounter {
    CLUSTERS(0, "clusters", "clusters in the table now (gauge)"),
    LOCATED(1, "located", "clusters whose member ports are known now (gauge)"),
    LEARNED(2, "learned", "member ports learned (a cluster was located, or seen on one more port)"),
    AGED(3, "aged", "member ports that aged out"),
    TABLE_FULL(4, "table_full", "new clusters not learned because the table was full"),
    RECLAIMED(5, "reclaimed", "idle clusters of unknown location dropped to make room for a new one"),
    STATIC_CONFLICT(6, "static_conflict", "evidence that puts a static cluster on another port (ignored)"),
    FLOODED_UNTRACKED(7, "flooded_untracked", "frames to a cluster MAC the full table could not track, flooded");

    private final int id;
    private final String label;
    private final String help;

    NlbCounter(int id, String label, String help) {
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
        NlbCounter[] all = values();
        for (int i = 0; i < all.length; i++) {
            if (all[i].id != i) {
                throw new ExceptionInInitializerError("NlbCounter ids must equal ordinals: " + all[i]);
            }
        }
    }
}
