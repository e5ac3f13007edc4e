package org.quietbridge.frame;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The Ethernet II / IEEE 802.3 MAC header.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    destination MAC (6 bytes)                  |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+       source MAC (6 bytes)    +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   EtherType or 802.3 length   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * A type/length value of 1536 (0x0600) or more is an EtherType; 1500 or less is an IEEE 802.3
 * length and an 802.2 LLC header follows (IEEE 802.3 clause 3.2.6).
 */
public final class Ethernet {
    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = 6;
    public static final int TYPE_OFFSET = 12;
    public static final int HEADER_LENGTH = 14;
    public static final int MAC_LENGTH = 6;

    /** Smallest type/length value that is an EtherType rather than an 802.3 length. */
    public static final int MIN_ETHERTYPE = 0x0600;
    /** Largest value that is an 802.3 length. */
    public static final int MAX_8023_LENGTH = 1500;

    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    public static final int TPID_8021Q = 0x8100;
    public static final int TPID_8021AD = 0x88A8;
    /** Pre-standard QinQ outer TPID still found on older gear. */
    public static final int TPID_QINQ_9100 = 0x9100;

    public static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Ethernet() {
    }

    /** True for the TPIDs that introduce a VLAN tag inside a frame. */
    public static boolean isVlanTpid(int type) {
        return type == TPID_8021Q || type == TPID_8021AD || type == TPID_QINQ_9100;
    }

    /** The I/G bit: group (multicast or broadcast) addresses have the low bit of the first octet set. */
    public static boolean isGroupAddress(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    /** Formats a MAC held in the low 48 bits of a long as {@code aa:bb:cc:dd:ee:ff}. Not for the hot path. */
    public static String formatMac(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int octet = (int) (mac >>> shift) & 0xFF;
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
        }
        return sb.toString();
    }

    /**
     * Parses {@code aa:bb:cc:dd:ee:ff} (or with '-') into the low 48 bits of a long.
     *
     * @throws IllegalArgumentException when the text is not a MAC address
     */
    public static long parseMac(String text) {
        String[] parts = text.trim().split("[:-]");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        long mac = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 2) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            int octet;
            try {
                octet = Integer.parseInt(part, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a MAC address: " + text, e);
            }
            mac = (mac << 8) | octet;
        }
        return mac;
    }
}
