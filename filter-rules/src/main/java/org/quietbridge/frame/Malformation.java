package org.quietbridge.frame;

/**
 * Why a frame could not be decoded in full. Each value is a stable counter label
 * ({@link #label()}), so operators see why frames were odd.
 */
public enum Malformation {
    NONE("none"),
    /** Zero bytes. */
    EMPTY("empty"),
    /** Fewer than the 14 bytes of a MAC header. */
    RUNT("runt"),
    /** A header and nothing behind it. */
    NO_PAYLOAD("no_payload"),
    /** A VLAN TPID with fewer than four bytes of tag (and two of type) behind it. */
    VLAN_TRUNCATED("vlan_truncated"),
    /** An 802.3 length field with no room for the 3-byte LLC header. */
    LLC_TRUNCATED("llc_truncated"),
    /** Fewer than 20 bytes of IPv4 header. */
    IPV4_TRUNCATED("ipv4_truncated"),
    /** The version nibble is not 4. */
    IPV4_BAD_VERSION("ipv4_bad_version"),
    /** IHL below 5 (RFC 791: at least five 32-bit words). */
    IPV4_IHL_TOO_SMALL("ipv4_ihl_too_small"),
    /** IHL claims more header than the frame holds. */
    IPV4_IHL_BEYOND_FRAME("ipv4_ihl_beyond_frame"),
    /** Total length smaller than IHL, or larger than the frame. */
    IPV4_BAD_TOTAL_LENGTH("ipv4_bad_total_length"),
    /** A first (or only) fragment of UDP or TCP too short to hold the two ports. */
    L4_TRUNCATED("l4_truncated"),
    /**
     * ARP with fewer than 28 bytes, or Ethernet/IPv4 ARP (hardware type 1, protocol 0x0800)
     * whose address lengths are not 6 and 4. ARP for other hardware or protocol types is not
     * malformed, only not decoded.
     */
    ARP_TRUNCATED("arp_truncated");

    private final String label;

    Malformation(String label) {
        this.label = label;
    }

    /** The stable name used in counters and reports. */
    public String label() {
        return label;
    }
}
