package org.quietbridge.bridge.forward;

/**
 * The tunables of ARP flood containment ({@code arp:} in the configuration).
 *
 * @param mode        off, monitor, contain or unicast
 * @param maxBindings most IP bindings the table holds
 * @param agingNanos  how long a binding lives without new evidence
 */
public record ArpSettings(ArpMode mode, int maxBindings, long agingNanos) {
    public static final int DEFAULT_MAX_BINDINGS = 16_384;
    public static final int MAX_BINDINGS_LIMIT = 1 << 20;

    public ArpSettings {
        if (maxBindings < 1 || maxBindings > MAX_BINDINGS_LIMIT) {
            throw new IllegalArgumentException("max bindings must be 1.." + MAX_BINDINGS_LIMIT + ": " + maxBindings);
        }
        if (agingNanos <= 0) {
            throw new IllegalArgumentException("aging must be positive: " + agingNanos);
        }
    }

    /** Off (the default), aging like the MAC table's. */
    public static ArpSettings off(long agingNanos) {
        return new ArpSettings(ArpMode.OFF, DEFAULT_MAX_BINDINGS, agingNanos);
    }

    /** The same settings in another mode ({@code run --monitor} turns contain and unicast into monitor). */
    public ArpSettings withMode(ArpMode next) {
        return new ArpSettings(next, maxBindings, agingNanos);
    }
}
