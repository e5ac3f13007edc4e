package org.quietbridge.bridge.forward;

/** What the bridge does about ARP request floods ({@code arp.mode}). */
public enum ArpMode {
    /** Nothing: ARP crosses as any other frame (the default). */
    OFF("off"),
    /** Learns bindings and counts what {@link #CONTAIN} or {@link #UNICAST} would do; forwards as before. */
    MONITOR("monitor"),
    /** A broadcast request for a known address goes only to the port its owner is on. */
    CONTAIN("contain"),
    /** As {@link #CONTAIN}, and the request leaves as a unicast to its owner's MAC. */
    UNICAST("unicast");

    private final String word;

    ArpMode(String word) {
        this.word = word;
    }

    /** The configuration word. */
    public String word() {
        return word;
    }
}
