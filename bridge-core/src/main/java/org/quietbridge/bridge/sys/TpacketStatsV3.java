package org.quietbridge.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct tpacket_stats_v3}, what {@code getsockopt(SOL_PACKET, PACKET_STATISTICS)} returns for a
 * TPACKET_V3 socket, from include/uapi/linux/if_packet.h. Reading it clears the counters.
 * <pre>
 * struct tpacket_stats_v3 {
 *     unsigned int tp_packets;      // 0  frames seen (including dropped ones)
 *     unsigned int tp_drops;        // 4  frames dropped because the RX ring was full
 *     unsigned int tp_freeze_q_cnt; // 8  times the ring froze: every block was user space's
 * };                                // 12 bytes
 * </pre>
 * Its first two fields are {@link TpacketStats}, so one buffer of this size serves both versions.
 */
public final class TpacketStatsV3 {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_packets"),
            JAVA_INT.withName("tp_drops"),
            JAVA_INT.withName("tp_freeze_q_cnt"))
            .withName("tpacket_stats_v3");

    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_PACKETS = LAYOUT.varHandle(groupElement("tp_packets"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_DROPS = LAYOUT.varHandle(groupElement("tp_drops"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_FREEZE_Q_CNT = LAYOUT.varHandle(groupElement("tp_freeze_q_cnt"));

    private TpacketStatsV3() {
    }
}
