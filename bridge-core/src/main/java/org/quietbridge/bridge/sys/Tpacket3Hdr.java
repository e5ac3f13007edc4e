package org.quietbridge.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct tpacket3_hdr}, the header of every frame in a TPACKET_V3 ring, from
 * include/uapi/linux/if_packet.h:
 * <pre>
 * struct tpacket_hdr_variant1 {
 *     __u32 tp_rxhash;      // 28  (offsets in tpacket3_hdr)
 *     __u32 tp_vlan_tci;    // 32  stripped tag's TCI, valid if TP_STATUS_VLAN_VALID
 *     __u16 tp_vlan_tpid;   // 36  stripped tag's TPID (host order), valid if TP_STATUS_VLAN_TPID_VALID
 *     __u16 tp_padding;     // 38
 * };
 * struct tpacket3_hdr {
 *     __u32 tp_next_offset; //  0  RX: offset of the next frame in the block (0 for the last);
 *                           //     TX: must be 0 ("variable sized slot not supported")
 *     __u32 tp_sec;         //  4
 *     __u32 tp_nsec;        //  8
 *     __u32 tp_snaplen;     // 12  bytes captured (RX)
 *     __u32 tp_len;         // 16  frame length on the wire (RX), frame length to send (TX)
 *     __u32 tp_status;      // 20  RX: flags only (ownership is the block's); TX: the ownership word
 *     __u16 tp_mac;         // 24  offset of the MAC header from this header (RX)
 *     __u16 tp_net;         // 26
 *     union { struct tpacket_hdr_variant1 hv1; };  // 28
 *     __u8  tp_padding[8];  // 40
 * };                        // 48 bytes
 * </pre>
 * RX (block-based, net/packet/af_packet.c prb_fill_curr_block): frames are packed in a block one
 * after another, each at an 8-byte aligned offset; the sockaddr_ll follows the header at
 * TPACKET_ALIGN(48) = 48, and the frame at {@code tp_mac}. The block descriptor
 * ({@link TpacketBlockDesc}) carries the ownership. TX (Linux 4.11 and later) is frame-based like
 * TPACKET_V2: each slot starts with this header, {@code tp_status} is its ownership word, and the frame
 * goes at {@link #TX_DATA_OFFSET} (48).
 */
public final class Tpacket3Hdr {
    public static final StructLayout HV1 = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_rxhash"),
            JAVA_INT.withName("tp_vlan_tci"),
            JAVA_SHORT.withName("tp_vlan_tpid"),
            JAVA_SHORT.withName("tp_padding"))
            .withName("tpacket_hdr_variant1");

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_next_offset"),
            JAVA_INT.withName("tp_sec"),
            JAVA_INT.withName("tp_nsec"),
            JAVA_INT.withName("tp_snaplen"),
            JAVA_INT.withName("tp_len"),
            JAVA_INT.withName("tp_status"),
            JAVA_SHORT.withName("tp_mac"),
            JAVA_SHORT.withName("tp_net"),
            HV1.withName("hv1"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("tp_padding"))
            .withName("tpacket3_hdr");

    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_NEXT_OFFSET = LAYOUT.varHandle(groupElement("tp_next_offset"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_SEC = LAYOUT.varHandle(groupElement("tp_sec"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_NSEC = LAYOUT.varHandle(groupElement("tp_nsec"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_SNAPLEN = LAYOUT.varHandle(groupElement("tp_snaplen"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_LEN = LAYOUT.varHandle(groupElement("tp_len"));
    /** (MemorySegment, long base) -> int; for TX slots use getAcquire / setRelease. */
    public static final VarHandle TP_STATUS = LAYOUT.varHandle(groupElement("tp_status"));
    /** (MemorySegment, long base) -> short (unsigned). */
    public static final VarHandle TP_MAC = LAYOUT.varHandle(groupElement("tp_mac"));
    /** (MemorySegment, long base) -> short (unsigned). */
    public static final VarHandle TP_NET = LAYOUT.varHandle(groupElement("tp_net"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_RXHASH = LAYOUT.varHandle(groupElement("hv1"), groupElement("tp_rxhash"));
    /** (MemorySegment, long base) -> int (the TCI is the low 16 bits). */
    public static final VarHandle TP_VLAN_TCI = LAYOUT.varHandle(groupElement("hv1"), groupElement("tp_vlan_tci"));
    /** (MemorySegment, long base) -> short (unsigned, host order). */
    public static final VarHandle TP_VLAN_TPID = LAYOUT.varHandle(groupElement("hv1"), groupElement("tp_vlan_tpid"));
    /** (MemorySegment, long base, long index) -> byte. */
    public static final VarHandle TP_PADDING = LAYOUT.varHandle(groupElement("tp_padding"), sequenceElement());

    /** TPACKET3_HDRLEN: TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) + sizeof(struct sockaddr_ll) = 68. */
    public static final int TPACKET3_HDRLEN =
            LinuxConstants.tpacketAlign((int) LAYOUT.byteSize()) + (int) SockaddrLl.LAYOUT.byteSize();

    /** Where the kernel writes an RX frame's sockaddr_ll, from the frame's header (tpacket_rcv). */
    public static final int SOCKADDR_LL_OFFSET = LinuxConstants.tpacketAlign((int) LAYOUT.byteSize());

    /**
     * Where a TX slot's frame starts when PACKET_TX_HAS_OFF is off: {@code po->tp_hdrlen -
     * sizeof(struct sockaddr_ll)} in af_packet.c tpacket_parse_header, i.e. 48 for TPACKET_V3.
     */
    public static final int TX_DATA_OFFSET = TPACKET3_HDRLEN - (int) SockaddrLl.LAYOUT.byteSize();

    private Tpacket3Hdr() {
    }
}
