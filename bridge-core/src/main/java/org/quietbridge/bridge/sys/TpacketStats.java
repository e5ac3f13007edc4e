package org.quietbridge.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct tpacket_stats}, what {@code getsockopt(SOL_PACKET, PACKET_STATISTICS)} returns for
 * TPACKET_V1/V2 sockets, from include/uapi/linux/if_packet.h. Reading it clears the counters.
 * <pre>
 * struct tpacket_stats {
 *     unsigned int tp_packets;  // 0  frames seen (including dropped ones)
 *     unsigned int tp_drops;    // 4  frames dropped because the RX ring was full
 * };                            // 8 bytes
 * </pre>
 */
public final class TpacketStats {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_packets"),
            JAVA_INT.withName("tp_drops"))
            .withName("tpacket_stats");

    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_PACKETS = LAYOUT.varHandle(groupElement("tp_packets"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_DROPS = LAYOUT.varHandle(groupElement("tp_drops"));

    private TpacketStats() {
    }
}
