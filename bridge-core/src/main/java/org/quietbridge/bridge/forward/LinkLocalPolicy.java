package org.quietbridge.bridge.forward;

/**
 * What the bridge does with IEEE 802.1D link-local frames (01:80:c2:00:00:00 to :0f: BPDUs,
 * LACP, LLDP, 802.1X EAPOL). A standard bridge consumes them; a bump in the wire forwards
 * them so the switches on either side still see each other (spanning tree keeps working
 * across it).
 */
public enum LinkLocalPolicy {
    FORWARD,
    DROP;

    private static final long LINK_LOCAL_MASK = 0xFFFF_FFFF_FFF0L;
    private static final long LINK_LOCAL_PREFIX = 0x0180_C200_0000L;

    public static boolean isLinkLocal(long mac) {
        return (mac & LINK_LOCAL_MASK) == LINK_LOCAL_PREFIX;
    }
}
