package org.quietbridge.frame;

/**
 * An IEEE 802.1Q / 802.1ad VLAN tag: the TPID, then the tag control information (TCI).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     TPID (0x8100, 0x88a8)     | PCP |D|         VID           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * In a frame the tag sits between the source MAC and the EtherType, so the tag starts at the
 * "type" position of the header before it.
 */
public final class VlanTag {
    public static final int LENGTH = 4;
    public static final int TPID_OFFSET = 0;
    public static final int TCI_OFFSET = 2;

    private VlanTag() {
    }

    public static int vid(int tci) {
        return tci & 0x0FFF;
    }

    public static int pcp(int tci) {
        return (tci >>> 13) & 0x7;
    }

    public static boolean dei(int tci) {
        return (tci & 0x1000) != 0;
    }

    public static int tci(int pcp, boolean dei, int vid) {
        return (pcp & 0x7) << 13 | (dei ? 0x1000 : 0) | (vid & 0x0FFF);
    }
}
