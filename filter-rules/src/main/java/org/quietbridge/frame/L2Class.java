package org.quietbridge.frame;

/** What kind of receiver an Ethernet destination address names. */
public enum L2Class {
    UNICAST,
    /** ff:ff:ff:ff:ff:ff. */
    BROADCAST,
    /** Any other group address (I/G bit set). */
    MULTICAST;

    /** Classifies a MAC held in the low 48 bits of a long. */
    public static L2Class of(long mac) {
        if (mac == Ethernet.BROADCAST_MAC) {
            return BROADCAST;
        }
        return Ethernet.isGroupAddress(mac) ? MULTICAST : UNICAST;
    }
}
