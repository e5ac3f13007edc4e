package org.quietbridge.bridge.forward;

/**
 * The traffic classes storm control limits, as switches name them. A frame belongs to one of the first
 * three by its destination, and to {@link #ARP} as well when it is ARP. IEEE 802.1D link-local frames
 * (BPDU, LACP, LLDP) belong to none: a storm limit must never cut spanning tree or a LAG.
 */
public enum StormClass {
    /** To ff:ff:ff:ff:ff:ff. */
    BROADCAST("broadcast"),
    /** To any other group address. */
    MULTICAST("multicast"),
    /** To a unicast address the bridge has not learned (or an NLB cluster MAC it floods): flooded. */
    UNKNOWN_UNICAST("unknown_unicast"),
    /** ARP (EtherType 0x0806), to any destination. */
    ARP("arp");

    private final String label;

    StormClass(String label) {
        this.label = label;
    }

    /** The name in the configuration, the log and the metrics' {@code class} label. */
    public String label() {
        return label;
    }

    /** The class of a configuration word, or null. */
    public static StormClass ofLabel(String label) {
        for (StormClass c : values()) {
            if (c.label.equals(label)) {
                return c;
            }
        }
        return null;
    }

    /** This class as a bit in a set of classes. */
    int bit() {
        return 1 << ordinal();
    }
}
