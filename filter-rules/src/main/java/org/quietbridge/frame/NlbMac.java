package org.quietbridge.frame;

/**
 * The MAC addresses Microsoft Network Load Balancing gives a cluster with IPv4 address W.X.Y.Z.
 *
 * <ul>
 *   <li>unicast mode: 02:bf:W:X:Y:Z, a locally administered unicast address no member ever
 *       sends from, so no switch learns it;</li>
 *   <li>multicast mode: 03:bf:W:X:Y:Z, the same with the group bit set;</li>
 *   <li>IGMP multicast mode: 01:00:5e:7f:Y:Z, the IPv4 multicast MAC of 239.255.Y.Z, which
 *       carries only the low two octets of the cluster address.</li>
 * </ul>
 *
 * Members in unicast mode mask their source MAC as 02:P:W:X:Y:Z, P being the host priority
 * (Microsoft, "Network Load Balancing Technical Overview", MAC address masking).
 */
public enum NlbMac {
    NONE,
    UNICAST,
    MULTICAST,
    IGMP;

    private static final long PREFIX_MASK = 0xFFFF_0000_0000L;
    private static final long UNICAST_PREFIX = 0x02BF_0000_0000L;
    private static final long MULTICAST_PREFIX = 0x03BF_0000_0000L;
    private static final long IGMP_MASK = 0xFFFF_FFFF_0000L;
    private static final long IGMP_PREFIX = 0x0100_5E7F_0000L;

    /** The NLB form of a MAC, or {@link #NONE}. */
    public static NlbMac of(long mac) {
        long prefix = mac & PREFIX_MASK;
        if (prefix == UNICAST_PREFIX) {
            return UNICAST;
        }
        if (prefix == MULTICAST_PREFIX) {
            return MULTICAST;
        }
        if ((mac & IGMP_MASK) == IGMP_PREFIX) {
            return IGMP;
        }
        return NONE;
    }

    /**
     * The IPv4 bits an NLB MAC embeds: all 32 for unicast and multicast mode, only the low 16
     * (Y.Z) for IGMP mode. Meaningless for {@link #NONE}.
     */
    public static int embeddedIpv4(long mac) {
        return of(mac) == IGMP ? (int) (mac & 0xFFFF) : (int) mac;
    }

    /** True if {@code clusterIp} could own this NLB MAC. */
    public static boolean belongsTo(long mac, int clusterIp) {
        return switch (of(mac)) {
            case UNICAST, MULTICAST -> (int) mac == clusterIp;
            case IGMP -> (int) (mac & 0xFFFF) == (clusterIp & 0xFFFF);
            case NONE -> false;
        };
    }

    /** 02:bf:W:X:Y:Z for a cluster IP. */
    public static long unicastMac(int clusterIp) {
        return UNICAST_PREFIX | (clusterIp & 0xFFFF_FFFFL);
    }

    /** 03:bf:W:X:Y:Z for a cluster IP. */
    public static long multicastMac(int clusterIp) {
        return MULTICAST_PREFIX | (clusterIp & 0xFFFF_FFFFL);
    }

    /** 01:00:5e:7f:Y:Z for a cluster IP. */
    public static long igmpMac(int clusterIp) {
        return IGMP_PREFIX | (clusterIp & 0xFFFFL);
    }

    /**
     * True for the masked source address 02:P:W:X:Y:Z that a unicast-mode member sends from,
     * for a given cluster IP.
     */
    public static boolean isMaskedMemberSource(long mac, int clusterIp) {
        return (mac >>> 40) == 0x02 && (int) mac == clusterIp;
    }
}
