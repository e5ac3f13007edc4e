package org.quietbridge.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct ifreq}, the argument of the interface ioctls, from include/uapi/linux/if.h (LP64):
 * <pre>
 * struct ifreq {
 *     union { char ifrn_name[IFNAMSIZ]; } ifr_ifrn;   //  0  IFNAMSIZ = 16
 *     union {                                         // 16
 *         struct sockaddr ifru_addr, ...;             //     16 bytes
 *         short           ifru_flags;                 //     SIOCGIFFLAGS
 *         int             ifru_ivalue;                //     SIOCGIFINDEX (ifr_ifindex)
 *         int             ifru_mtu;                   //     SIOCGIFMTU
 *         struct ifmap    ifru_map;                   //     24 bytes: the largest member
 *         char            ifru_slave[IFNAMSIZ], ifru_newname[IFNAMSIZ];
 *         void *          ifru_data;                  //     SIOCETHTOOL: struct ethtool_value *
 *         struct if_settings ifru_settings;           //     16 bytes
 *     } ifr_ifru;
 * };                                                  // 40 bytes
 *
 * struct ifmap {
 *     unsigned long  mem_start;   //  0
 *     unsigned long  mem_end;     //  8
 *     unsigned short base_addr;   // 16
 *     unsigned char  irq, dma, port;  // 18, 19, 20
 *     // 3 bytes spare            // 21
 * };                              // 24 bytes
 * </pre>
 * The union members that quietbridge does not use and that are not larger than ifru_map
 * (the sockaddrs, ifru_slave, ifru_newname, ifru_settings) are left out.
 */
public final class Ifreq {
    /** IFNAMSIZ from include/uapi/linux/if.h, including the terminating NUL. */
    public static final int IFNAMSIZ = 16;

    // include/uapi/linux/sockios.h
    public static final long SIOCGIFFLAGS = 0x8913;
    public static final long SIOCSIFFLAGS = 0x8914;
    public static final long SIOCGIFMTU = 0x8921;
    public static final long SIOCGIFINDEX = 0x8933;
    public static final long SIOCETHTOOL = 0x8946;

    // include/uapi/linux/if.h: enum net_device_flags
    public static final int IFF_UP = 1;
    public static final int IFF_RUNNING = 1 << 6;
    public static final int IFF_PROMISC = 1 << 8;

    static final StructLayout IFMAP = MemoryLayout.structLayout(
            JAVA_LONG.withName("mem_start"),
            JAVA_LONG.withName("mem_end"),
            JAVA_SHORT.withName("base_addr"),
            JAVA_BYTE.withName("irq"),
            JAVA_BYTE.withName("dma"),
            JAVA_BYTE.withName("port"),
            MemoryLayout.paddingLayout(3))
            .withName("ifmap");

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.unionLayout(
                    MemoryLayout.sequenceLayout(IFNAMSIZ, JAVA_BYTE).withName("ifrn_name"))
                    .withName("ifr_ifrn"),
            MemoryLayout.unionLayout(
                    JAVA_SHORT.withName("ifru_flags"),
                    JAVA_INT.withName("ifru_ivalue"),
                    JAVA_INT.withName("ifru_mtu"),
                    ADDRESS.withName("ifru_data"),
                    IFMAP.withName("ifru_map"))
                    .withName("ifr_ifru"))
            .withName("ifreq");

    public static final long IFR_NAME_OFFSET = LAYOUT.byteOffset(groupElement("ifr_ifrn"), groupElement("ifrn_name"));

    /** ifr_flags: (MemorySegment, long base) -> short. */
    public static final VarHandle IFRU_FLAGS = LAYOUT.varHandle(groupElement("ifr_ifru"), groupElement("ifru_flags"));
    /** ifr_ifindex: (MemorySegment, long base) -> int. */
    public static final VarHandle IFRU_IVALUE = LAYOUT.varHandle(groupElement("ifr_ifru"), groupElement("ifru_ivalue"));
    /** ifr_mtu: (MemorySegment, long base) -> int. */
    public static final VarHandle IFRU_MTU = LAYOUT.varHandle(groupElement("ifr_ifru"), groupElement("ifru_mtu"));
    /** ifr_data: (MemorySegment, long base) -> MemorySegment. */
    public static final VarHandle IFRU_DATA = LAYOUT.varHandle(groupElement("ifr_ifru"), groupElement("ifru_data"));

    private Ifreq() {
    }

    /** The name of an interface ioctl request, for error messages. */
    public static String requestName(long request) {
        if (request == SIOCGIFFLAGS) {
            return "SIOCGIFFLAGS";
        } else if (request == SIOCSIFFLAGS) {
            return "SIOCSIFFLAGS";
        } else if (request == SIOCGIFMTU) {
            return "SIOCGIFMTU";
        } else if (request == SIOCGIFINDEX) {
            return "SIOCGIFINDEX";
        } else if (request == SIOCETHTOOL) {
            return "SIOCETHTOOL";
        }
        return "0x" + Long.toHexString(request);
    }
}
