package org.quietbridge.bridge.forward;

/** Counters of the MAC table. Ids and labels are stable. */
public enum FdbCounter {
    ENTRIES(0, "entries", "entries in the table now (gauge)"),
    LEARNED(1, "learned", "addresses learned"),
    MOVED(2, "moved", "addresses that moved to another port"),
    TABLE_FULL(3, "table_full", "new addresses not learned because the table was full"),
    AGED(4, "aged", "entries removed by aging"),
    STATIC_CONFLICT(5, "static_conflict", "frames whose source contradicts a static entry");

    private final int id;
    private final String label;
    private final String help;

    FdbCounter(int id, String label, String help) {
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
