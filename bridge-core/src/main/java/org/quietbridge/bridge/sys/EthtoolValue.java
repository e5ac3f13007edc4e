package org.quietbridge.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct ethtool_value}, the SIOCETHTOOL argument of the legacy get/set commands, from
 * include/uapi/linux/ethtool.h:
 * <pre>
 * struct ethtool_value {
 *     __u32 cmd;   // 0  ETHTOOL_GGRO, ETHTOOL_SFLAGS, ...
 *     __u32 data;  // 4
 * };               // 8 bytes
 * </pre>
 * It is passed by pointer in {@code ifreq.ifr_data}.
 */
public final class EthtoolValue {
    // include/uapi/linux/ethtool.h
    /** Get flags bitmap (ethtool_value). */
    public static final int ETHTOOL_GFLAGS = 0x00000025;
    /** Set flags bitmap (ethtool_value). */
    public static final int ETHTOOL_SFLAGS = 0x00000026;
    /** Get GRO enable (ethtool_value). */
    public static final int ETHTOOL_GGRO = 0x0000002b;
    /** Set GRO enable (ethtool_value). */
    public static final int ETHTOOL_SGRO = 0x0000002c;
    /** ETH_FLAG_LRO in enum ethtool_flags: LRO is enabled. */
    public static final int ETH_FLAG_LRO = 1 << 15;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("cmd"),
            JAVA_INT.withName("data"))
            .withName("ethtool_value");

    /** (MemorySegment, long base) -> int. */
    public static final VarHandle CMD = LAYOUT.varHandle(groupElement("cmd"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle DATA = LAYOUT.varHandle(groupElement("data"));

    private EthtoolValue() {
    }

    /** The command's name, for error messages. */
    public static String commandName(int cmd) {
        return switch (cmd) {
            case ETHTOOL_GFLAGS -> "ETHTOOL_GFLAGS";
            case ETHTOOL_SFLAGS -> "ETHTOOL_SFLAGS";
            case ETHTOOL_GGRO -> "ETHTOOL_GGRO";
            case ETHTOOL_SGRO -> "ETHTOOL_SGRO";
            default -> "0x" + Integer.toHexString(cmd);
        };
    }
}
