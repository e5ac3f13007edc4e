package org.quietbridge.frame;

import java.util.List;

/**
 * The IPv4 subnets an operator declares for a segment, so the classifier can tell their
 * directed broadcast addresses (RFC 922: the all-ones host part) from unicast. Immutable.
 */
public final class Ipv4Subnets {
    public static final Ipv4Subnets NONE = new Ipv4Subnets(new int[0], new int[0]);

    private final int[] broadcast;
    private final int[] prefixLength;

    private Ipv4Subnets(int[] broadcast, int[] prefixLength) {
        this.broadcast = broadcast;
        this.prefixLength = prefixLength;
    }

    /** Builds the table from (network, prefix length) pairs. */
    public static Ipv4Subnets of(List<Ipv4Prefix> subnets) {
        int[] bcast = new int[subnets.size()];
        int[] lengths = new int[subnets.size()];
        for (int i = 0; i < bcast.length; i++) {
            Ipv4Prefix p = subnets.get(i);
            bcast[i] = p.network() | ~Ipv4.mask(p.length());
            lengths[i] = p.length();
        }
        return new Ipv4Subnets(bcast, lengths);
    }

    /** True if the address is the directed broadcast address of a declared subnet. */
    public boolean isDirectedBroadcast(int address) {
        for (int i = 0; i < broadcast.length; i++) {
            // A /31 or /32 has no broadcast address (RFC 3021).
            if (address == broadcast[i] && prefixLength[i] <= 30) {
                return true;
            }
        }
        return false;
    }

    public int size() {
        return broadcast.length;
    }
}
