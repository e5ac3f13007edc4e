package org.quietbridge.frame;

/**
 * What kind of receiver an IPv4 destination address names, in the precedence the classifier
 * applies: the first class that fits wins.
 */
public enum Ipv4Class {
    /** 255.255.255.255 (RFC 919). */
    LIMITED_BROADCAST,
    /** 224.0.0.0/4 (RFC 5771). */
    MULTICAST,
    /** The all-ones host address of a subnet the operator configured (RFC 922). */
    DIRECTED_BROADCAST,
    /**
     * An address whose host part is all ones under /24, /16 or /8 (x.y.z.255, x.y.255.255,
     * x.255.255.255): the "inappropriate broadcast addresses that some confused clients use".
     */
    ALL_ONES_HOST,
    UNICAST;

    /** True for the three broadcast kinds. */
    public boolean isBroadcast() {
        return this == LIMITED_BROADCAST || this == DIRECTED_BROADCAST || this == ALL_ONES_HOST;
    }
}
