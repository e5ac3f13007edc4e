package org.quietbridge.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct tpacket_block_desc}, the descriptor at the start of every block of a TPACKET_V3 RX
 * ring, with its {@code struct tpacket_hdr_v1}, from include/uapi/linux/if_packet.h:
 * <pre>
 * struct tpacket_bd_ts { unsigned int ts_sec; union { unsigned int ts_usec; unsigned int ts_nsec; }; };
 * struct tpacket_hdr_v1 {
 *     __u32 block_status;          //  8  (offsets in tpacket_block_desc) TP_STATUS_KERNEL / TP_STATUS_USER
 *     __u32 num_pkts;              // 12  frames in the block
 *     __u32 offset_to_first_pkt;   // 16  from the block start
 *     __u32 blk_len;               // 20  valid bytes, padding included
 *     __aligned_u64 seq_num;       // 24
 *     struct tpacket_bd_ts ts_first_pkt, ts_last_pkt;   // 32, 40
 * };
 * struct tpacket_block_desc {
 *     __u32 version;               //  0
 *     __u32 offset_to_priv;        //  4
 *     union tpacket_bd_header_u { struct tpacket_hdr_v1 bh1; } hdr;   // 8
 * };                               // 48 bytes
 * </pre>
 * {@code block_status} is the ownership word of the whole block: the kernel sets TP_STATUS_USER (with
 * TP_STATUS_BLK_TMO when the retire timer closed it) after it wrote the block's frames; user space
 * reads it with {@code getAcquire} and hands the block back with a {@code setRelease} of
 * TP_STATUS_KERNEL once it has consumed every frame (Documentation/networking/packet_mmap.rst,
 * "TPACKET_V3 example").
 */
public final class TpacketBlockDesc {
    public static final StructLayout TS = MemoryLayout.structLayout(
            JAVA_INT.withName("ts_sec"),
            JAVA_INT.withName("ts_nsec"))
            .withName("tpacket_bd_ts");

    public static final StructLayout HDR_V1 = MemoryLayout.structLayout(
            JAVA_INT.withName("block_status"),
            JAVA_INT.withName("num_pkts"),
            JAVA_INT.withName("offset_to_first_pkt"),
            JAVA_INT.withName("blk_len"),
            JAVA_LONG.withName("seq_num"),
            TS.withName("ts_first_pkt"),
            TS.withName("ts_last_pkt"))
            .withName("tpacket_hdr_v1");

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("version"),
            JAVA_INT.withName("offset_to_priv"),
            HDR_V1.withName("bh1"))
            .withName("tpacket_block_desc");

    /** (MemorySegment, long base) -> int. */
    public static final VarHandle VERSION = LAYOUT.varHandle(groupElement("version"));
    /** (MemorySegment, long base) -> int; use getAcquire / setRelease. */
    public static final VarHandle BLOCK_STATUS = LAYOUT.varHandle(groupElement("bh1"), groupElement("block_status"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle NUM_PKTS = LAYOUT.varHandle(groupElement("bh1"), groupElement("num_pkts"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle OFFSET_TO_FIRST_PKT =
            LAYOUT.varHandle(groupElement("bh1"), groupElement("offset_to_first_pkt"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle BLK_LEN = LAYOUT.varHandle(groupElement("bh1"), groupElement("blk_len"));
    /** (MemorySegment, long base) -> long. */
    public static final VarHandle SEQ_NUM = LAYOUT.varHandle(groupElement("bh1"), groupElement("seq_num"));

    private TpacketBlockDesc() {
    }
}
