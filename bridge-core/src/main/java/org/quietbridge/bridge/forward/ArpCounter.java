package org.quietbridge.bridge.forward;

/**
 * What ARP containment counts. Outcomes are per ARP frame; the rest are per binding. Ids are the
 * ordinals; labels name the metrics' {@code outcome} and {@code kind} values.
 */
public enum ArpCounter {
    /** A broadcast request for a known address sent only to its owner's port. */
    CONTAINED("contained", true),
    /** As contained, and rewritten to a unicast to the owner's MAC ({@code unicast} mode). */
    REWRITTEN("rewritten", true),
    /** A broadcast request whose target is on the requester's own port: not forwarded (it heard it there). */
    SAME_SIDE("same_side", true),
    /** A broadcast request for an address without a fresh binding: flooded. */
    FLOODED_UNKNOWN("flooded_unknown", true),
    /** A probe (sender IP 0.0.0.0, RFC 5227): flooded. */
    SKIPPED_PROBE("skipped_probe", true),
    /** A gratuitous ARP or announcement (sender IP = target IP): flooded; it refreshes the binding. */
    SKIPPED_GRATUITOUS("skipped_gratuitous", true),
    /** A request to a unicast MAC, or a reply: forwarded as any unicast. */
    SKIPPED_UNICAST("skipped_unicast", true),
    /** A request whose ARP sender MAC is not its Ethernet source (VRRP, NLB, proxies): flooded. */
    SKIPPED_SENDER_MISMATCH("skipped_sender_mismatch", true),
    /** A request for or from an address NLB containment knows as a cluster: left to it. */
    SKIPPED_NLB("skipped_nlb", true),
    /** A new binding (or one that had aged out, learned again). */
    LEARNED("learned", false),
    /** A binding's owner was seen on another port (a client that roamed). */
    MOVED("moved", false),
    /** Another MAC claimed a bound address: the new evidence takes the binding over. */
    CONFLICTS("conflicts", false),
    /** Bindings forgotten after the aging time. */
    AGED("aged", false),
    /** Bindings not learned because the table was full. */
    TABLE_FULL("table_full", false),
    /** Bindings in the table now (a gauge). */
    BINDINGS("bindings", false);

    private final String label;
    private final boolean outcome;

    ArpCounter(String label, boolean outcome) {
        this.label = label;
        this.outcome = outcome;
    }

    public String label() {
        return label;
    }

    /** Whether it counts what became of ARP frames (else: of bindings). */
    public boolean isOutcome() {
        return outcome;
    }

    int id() {
        return ordinal();
    }
}
