package org.quietbridge.bridge.forward;

/** How a port's interface is, as the port watch last saw it. Words are stable: the API shows them. */
public enum PortState {
    /** The interface is there, up, with carrier. */
    UP("up"),
    /** The interface is there but without carrier, or administratively down. */
    NO_CARRIER("no-carrier"),
    /** {@code link_state: propagate} set it down because another port lost carrier. */
    HELD_DOWN("held-down"),
    /** The interface was deleted; the port waits for one of its name. */
    GONE("gone");

    private final String word;

    PortState(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }
}
