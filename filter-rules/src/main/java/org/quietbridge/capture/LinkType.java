package org.quietbridge.capture;

/**
 * The few link-layer header types (tcpdump.org "LINKTYPE_" values, the same numbers as
 * pcap's DLT_ values for these) that name a capture in error messages. Only
 * {@link #ETHERNET} is read.
 */
public final class LinkType {
    /** LINKTYPE_ETHERNET / DLT_EN10MB: the frame starts with the Ethernet MAC header. */
    public static final int ETHERNET = 1;

    private LinkType() {
    }

    /** {@code 113 (LINUX_SLL)}, or just the number for types without a name here. */
    public static String describe(int linkType) {
        String name = switch (linkType) {
            case 0 -> "NULL";
            case 1 -> "EN10MB";
            case 6 -> "IEEE802_5";
            case 9 -> "PPP";
            case 12, 14, 101 -> "RAW";
            case 105 -> "IEEE802_11";
            case 108 -> "LOOP";
            case 113 -> "LINUX_SLL";
            case 127 -> "IEEE802_11_RADIOTAP";
            case 228 -> "IPV4";
            case 229 -> "IPV6";
            case 276 -> "LINUX_SLL2";
            default -> null;
        };
        return name == null ? Integer.toString(linkType) : linkType + " (" + name + ")";
    }

    /** The error detail for a capture or interface that is not Ethernet. */
    static String notEthernet(String what, int linkType) {
        return what + " has link type " + describe(linkType)
                + "; only Ethernet captures (link type 1, DLT_EN10MB) can be read";
    }
}
