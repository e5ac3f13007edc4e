package org.quietbridge.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct tpacket_req}, the PACKET_RX_RING / PACKET_TX_RING argument for TPACKET_V1/V2,
 * from include/uapi/linux/if_packet.h:
 * <pre>
 * struct tpacket_req {
 *     unsigned int tp_block_size;  //  0  multiple of PAGE_SIZE
 *     unsigned int tp_block_nr;    //  4
 *     unsigned int tp_frame_size;  //  8  multiple of TPACKET_ALIGNMENT
 *     unsigned int tp_frame_nr;    // 12  = tp_block_nr * (tp_block_size / tp_frame_size)
 * };                               // 16 bytes
 * </pre>
 */
public final class TpacketReq {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_block_size"),
            JAVA_INT.withName("tp_block_nr"),
            JAVA_INT.withName("tp_frame_size"),
            JAVA_INT.withName("tp_frame_nr"))
            .withName("tpacket_req");

    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_BLOCK_SIZE = LAYOUT.varHandle(groupElement("tp_block_size"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_BLOCK_NR = LAYOUT.varHandle(groupElement("tp_block_nr"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_FRAME_SIZE = LAYOUT.varHandle(groupElement("tp_frame_size"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_FRAME_NR = LAYOUT.varHandle(groupElement("tp_frame_nr"));

    private TpacketReq() {
    }
}
