package org.quietbridge.bridge.sys;

import java.nio.ByteOrder;

/**
 * Socket, packet-socket and mmap constants, with the header each value comes from. Struct-specific
 * constants (TP_STATUS_*, SIOC*, ETHTOOL_*, POLL*) live with their struct.
 *
 * <p>Values are the Linux ones for x86_64 and arm64 (the generic ABI); they are checked against
 * the headers in {@code LinuxConstantsTest}.
 */
public final class LinuxConstants {
    private LinuxConstants() {
    }

    // include/linux/socket.h (uapi values; glibc bits/socket.h agrees)
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_PACKET = 17;
    public static final int SOL_SOCKET = 1;
    public static final int SOL_PACKET = 263;
    /** MSG_DONTWAIT from include/linux/socket.h. */
    public static final int MSG_DONTWAIT = 0x40;
    /** MSG_TRUNC from include/linux/socket.h: recv returns the real length even when the buffer was shorter. */
    public static final int MSG_TRUNC = 0x20;

    // include/linux/net.h (enum sock_type) and include/linux/net.h SOCK_CLOEXEC (= O_CLOEXEC)
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;

    // include/uapi/asm-generic/socket.h
    public static final int SO_ERROR = 4;
    public static final int SO_RCVBUF = 8;
    /** SO_RCVBUF past net.core.rmem_max; needs CAP_NET_ADMIN. */
    public static final int SO_RCVBUFFORCE = 33;

    // include/uapi/linux/if_ether.h (host order; see htons for the wire order the socket calls want)
    public static final int ETH_P_ALL = 0x0003;
    public static final int ETH_P_8021Q = 0x8100;
    public static final int ETH_P_8021AD = 0x88A8;
    public static final int ETH_HLEN = 14;
    /** ETH_ALEN: bytes of one MAC address. */
    public static final int ETH_ALEN = 6;
    /** VLAN_HLEN from include/linux/if_vlan.h: one 802.1Q/802.1ad tag. */
    public static final int VLAN_HLEN = 4;

    // include/uapi/linux/if_packet.h: packet socket options (level SOL_PACKET)
    public static final int PACKET_ADD_MEMBERSHIP = 1;
    public static final int PACKET_DROP_MEMBERSHIP = 2;
    public static final int PACKET_RX_RING = 5;
    public static final int PACKET_STATISTICS = 6;
    /** Frames too big for a V1/V2 RX slot also go, whole, to the socket's receive queue (TP_STATUS_COPY). */
    public static final int PACKET_COPY_THRESH = 7;
    public static final int PACKET_AUXDATA = 8;
    public static final int PACKET_VERSION = 10;
    public static final int PACKET_HDRLEN = 11;
    public static final int PACKET_RESERVE = 12;
    public static final int PACKET_TX_RING = 13;
    public static final int PACKET_LOSS = 14;
    /** A struct virtio_net_hdr before every frame, RX and TX (include/uapi/linux/virtio_net.h). */
    public static final int PACKET_VNET_HDR = 15;
    public static final int PACKET_QDISC_BYPASS = 20;
    /** Linux 4.20 and later. */
    public static final int PACKET_IGNORE_OUTGOING = 23;

    // include/uapi/linux/if_packet.h: sll_pkttype values
    public static final int PACKET_HOST = 0;
    public static final int PACKET_BROADCAST = 1;
    public static final int PACKET_MULTICAST = 2;
    public static final int PACKET_OTHERHOST = 3;
    public static final int PACKET_OUTGOING = 4;

    // include/uapi/linux/if_packet.h: packet_mreq.mr_type
    public static final int PACKET_MR_MULTICAST = 0;
    public static final int PACKET_MR_PROMISC = 1;
    public static final int PACKET_MR_ALLMULTI = 2;

    // include/uapi/linux/if_packet.h: enum tpacket_versions
    public static final int TPACKET_V1 = 0;
    public static final int TPACKET_V2 = 1;
    public static final int TPACKET_V3 = 2;

    /** TPACKET_ALIGNMENT from include/uapi/linux/if_packet.h. */
    public static final int TPACKET_ALIGNMENT = 16;

    // include/uapi/asm-generic/mman-common.h
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_POPULATE = 0x08000;
    /** MAP_FAILED is {@code (void *) -1}. */
    public static final long MAP_FAILED = -1L;

    /** TPACKET_ALIGN(x) from include/uapi/linux/if_packet.h. */
    public static int tpacketAlign(int x) {
        return (x + TPACKET_ALIGNMENT - 1) & ~(TPACKET_ALIGNMENT - 1);
    }

    /**
     * htons(3): a 16-bit value in network byte order, as an int ready for {@code socket(2)}'s
     * protocol argument. {@code htons(ETH_P_ALL)} is 0x0300 on little-endian machines.
     */
    public static int htons(int hostShort) {
        int value = hostShort & 0xFFFF;
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? value : Integer.reverseBytes(value) >>> 16;
    }

    /** A readable name for a socket option, for error messages: {@code "SOL_PACKET, PACKET_RX_RING"}. */
    public static String socketOptionName(int level, int optname) {
        if (level == SOL_SOCKET) {
            return "SOL_SOCKET, " + switch (optname) {
                case SO_ERROR -> "SO_ERROR";
                case SO_RCVBUF -> "SO_RCVBUF";
                case SO_RCVBUFFORCE -> "SO_RCVBUFFORCE";
                default -> String.valueOf(optname);
            };
        }
        if (level != SOL_PACKET) {
            return level + ", " + optname;
        }
        String name = switch (optname) {
            case PACKET_ADD_MEMBERSHIP -> "PACKET_ADD_MEMBERSHIP";
            case PACKET_DROP_MEMBERSHIP -> "PACKET_DROP_MEMBERSHIP";
            case PACKET_RX_RING -> "PACKET_RX_RING";
            case PACKET_STATISTICS -> "PACKET_STATISTICS";
            case PACKET_COPY_THRESH -> "PACKET_COPY_THRESH";
            case PACKET_AUXDATA -> "PACKET_AUXDATA";
            case PACKET_VERSION -> "PACKET_VERSION";
            case PACKET_HDRLEN -> "PACKET_HDRLEN";
            case PACKET_RESERVE -> "PACKET_RESERVE";
            case PACKET_TX_RING -> "PACKET_TX_RING";
            case PACKET_LOSS -> "PACKET_LOSS";
            case PACKET_VNET_HDR -> "PACKET_VNET_HDR";
            case PACKET_QDISC_BYPASS -> "PACKET_QDISC_BYPASS";
            case PACKET_IGNORE_OUTGOING -> "PACKET_IGNORE_OUTGOING";
            default -> String.valueOf(optname);
        };
        return "SOL_PACKET, " + name;
    }

    /** A readable name for a socket(2) domain, for error messages. */
    public static String domainName(int domain) {
        return switch (domain) {
            case AF_INET -> "AF_INET";
            case AF_PACKET -> "AF_PACKET";
            default -> String.valueOf(domain);
        };
    }

    /** A readable name for a socket(2) type (with flags), for error messages. */
    public static String socketTypeName(int type) {
        int base = type & 0xF;
        String name = switch (base) {
            case SOCK_DGRAM -> "SOCK_DGRAM";
            case SOCK_RAW -> "SOCK_RAW";
            default -> String.valueOf(base);
        };
        return (type & SOCK_CLOEXEC) != 0 ? name + "|SOCK_CLOEXEC" : name;
    }
}
