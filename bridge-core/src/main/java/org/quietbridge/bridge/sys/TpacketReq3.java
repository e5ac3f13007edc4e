package org.quietbridge.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct tpacket_req3}, the PACKET_RX_RING / PACKET_TX_RING argument for TPACKET_V3, from
 * include/uapi/linux/if_packet.h:
 * <pre>
 * struct tpacket_req3 {
 *     unsigned int tp_block_size;       //  0  multiple of PAGE_SIZE
 *     unsigned int tp_block_nr;         //  4
 *     unsigned int tp_frame_size;       //  8  checked as for V2, though RX frames are variable-sized
 *     unsigned int tp_frame_nr;         // 12  = tp_block_nr * (tp_block_size / tp_frame_size)
 *     unsigned int tp_retire_blk_tov;   // 16  RX: ms before a partly filled block is handed over;
 *                                       //     0 = the kernel's choice (prb_calc_retire_blk_tmo)
 *     unsigned int tp_sizeof_priv;      // 20  private area after the block descriptor
 *     unsigned int tp_feature_req_word; // 24  TP_FT_REQ_FILL_RXHASH
 * };                                    // 28 bytes
 * </pre>
 * For the TX ring the last three must be 0 (af_packet.c packet_set_ring: "Block transmit is not
 * supported yet"), or setsockopt fails with EINVAL.
 */
public final class TpacketReq3 {
    public static final int TP_FT_REQ_FILL_RXHASH = 0x1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_block_size"),
            JAVA_INT.withName("tp_block_nr"),
            JAVA_INT.withName("tp_frame_size"),
            JAVA_INT.withName("tp_frame_nr"),
            JAVA_INT.withName("tp_retire_blk_tov"),
            JAVA_INT.withName("tp_sizeof_priv"),
            JAVA_INT.withName("tp_feature_req_word"))
            .withName("tpacket_req3");

    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_BLOCK_SIZE = LAYOUT.varHandle(groupElement("tp_block_size"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_BLOCK_NR = LAYOUT.varHandle(groupElement("tp_block_nr"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_FRAME_SIZE = LAYOUT.varHandle(groupElement("tp_frame_size"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_FRAME_NR = LAYOUT.varHandle(groupElement("tp_frame_nr"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_RETIRE_BLK_TOV = LAYOUT.varHandle(groupElement("tp_retire_blk_tov"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_SIZEOF_PRIV = LAYOUT.varHandle(groupElement("tp_sizeof_priv"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_FEATURE_REQ_WORD = LAYOUT.varHandle(groupElement("tp_feature_req_word"));

    private TpacketReq3() {
    }
}
