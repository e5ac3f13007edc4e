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
 * {@code struct tpacket2_hdr}, the header at the start of every TPACKET_V2 ring slot, from
 * include/uapi/linux/if_packet.h:
 * <pre>
 * struct tpacket2_hdr {
 *     __u32 tp_status;      //  0  ownership: TP_STATUS_KERNEL / TP_STATUS_USER (RX),
 *                           //     TP_STATUS_AVAILABLE / SEND_REQUEST / SENDING (TX)
 *     __u32 tp_len;         //  4  frame length on the wire (RX), frame length to send (TX)
 *     __u32 tp_snaplen;     //  8  bytes captured in the slot (RX)
 *     __u16 tp_mac;         // 12  offset of the MAC header from the slot start (RX)
 *     __u16 tp_net;         // 14  offset of the network header (RX)
 *     __u32 tp_sec;         // 16
 *     __u32 tp_nsec;        // 20
 *     __u16 tp_vlan_tci;    // 24  stripped tag's TCI, valid if TP_STATUS_VLAN_VALID
 *     __u16 tp_vlan_tpid;   // 26  stripped tag's TPID (host order), valid if TP_STATUS_VLAN_TPID_VALID
 *     __u8  tp_padding[4];  // 28
 * };                        // 32 bytes
 * </pre>
 * Slot layout (packet_mmap.rst, net/packet/af_packet.c):
 * <pre>
 *  0                       32 (TPACKET_ALIGN(sizeof(tpacket2_hdr)))   52 (TPACKET2_HDRLEN)
 *  +-----------------------+-----------------------------------------+----- gap -----+-----------
 *  | struct tpacket2_hdr   | struct sockaddr_ll (RX only)            |               | frame at tp_mac (RX)
 *  +-----------------------+-----------------------------------------+---------------+-----------
 *  TX (no PACKET_TX_HAS_OFF): the frame starts at TPACKET2_HDRLEN - sizeof(sockaddr_ll) = 32.
 * </pre>
 * {@code tp_status} is the ownership word shared with the kernel: read it with {@code getAcquire}
 * and hand a slot over with {@code setRelease}.
 */
public final class Tpacket2Hdr {
    // include/uapi/linux/if_packet.h: RX ring, header status
    public static final int TP_STATUS_KERNEL = 0;
    public static final int TP_STATUS_USER = 1;
    /** The frame was too big for the slot and a full copy went to the socket queue (PACKET_COPY_THRESH). */
    public static final int TP_STATUS_COPY = 1 << 1;
    /** Frames were dropped because the ring was full (cleared by reading PACKET_STATISTICS). */
    public static final int TP_STATUS_LOSING = 1 << 2;
    /** The L4 checksum is not filled in yet (CHECKSUM_PARTIAL): TX checksum offload upstream. */
    public static final int TP_STATUS_CSUM_NOT_READY = 1 << 3;
    /** tp_vlan_tci is valid: tells "VID 0 tag" apart from "no tag". */
    public static final int TP_STATUS_VLAN_VALID = 1 << 4;
    public static final int TP_STATUS_BLK_TMO = 1 << 5;
    /** tp_vlan_tpid is valid (Linux 3.14 and later). */
    public static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;
    public static final int TP_STATUS_CSUM_VALID = 1 << 7;

    // include/uapi/linux/if_packet.h: TX ring, header status
    public static final int TP_STATUS_AVAILABLE = 0;
    public static final int TP_STATUS_SEND_REQUEST = 1;
    public static final int TP_STATUS_SENDING = 1 << 1;
    public static final int TP_STATUS_WRONG_FORMAT = 1 << 2;

    // include/uapi/linux/if_packet.h: RX and TX
    public static final int TP_STATUS_TS_SOFTWARE = 1 << 29;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("tp_status"),
            JAVA_INT.withName("tp_len"),
            JAVA_INT.withName("tp_snaplen"),
            JAVA_SHORT.withName("tp_mac"),
            JAVA_SHORT.withName("tp_net"),
            JAVA_INT.withName("tp_sec"),
            JAVA_INT.withName("tp_nsec"),
            JAVA_SHORT.withName("tp_vlan_tci"),
            JAVA_SHORT.withName("tp_vlan_tpid"),
            MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("tp_padding"))
            .withName("tpacket2_hdr");

    /** (MemorySegment, long base) -> int; use getAcquire / setRelease. */
    public static final VarHandle TP_STATUS = LAYOUT.varHandle(groupElement("tp_status"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_LEN = LAYOUT.varHandle(groupElement("tp_len"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_SNAPLEN = LAYOUT.varHandle(groupElement("tp_snaplen"));
    /** (MemorySegment, long base) -> short (unsigned). */
    public static final VarHandle TP_MAC = LAYOUT.varHandle(groupElement("tp_mac"));
    /** (MemorySegment, long base) -> short (unsigned). */
    public static final VarHandle TP_NET = LAYOUT.varHandle(groupElement("tp_net"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_SEC = LAYOUT.varHandle(groupElement("tp_sec"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle TP_NSEC = LAYOUT.varHandle(groupElement("tp_nsec"));
    /** (MemorySegment, long base) -> short (unsigned). */
    public static final VarHandle TP_VLAN_TCI = LAYOUT.varHandle(groupElement("tp_vlan_tci"));
    /** (MemorySegment, long base) -> short (unsigned, host order). */
    public static final VarHandle TP_VLAN_TPID = LAYOUT.varHandle(groupElement("tp_vlan_tpid"));
    /** (MemorySegment, long base, long index) -> byte. */
    public static final VarHandle TP_PADDING = LAYOUT.varHandle(groupElement("tp_padding"), sequenceElement());

    /** TPACKET2_HDRLEN: TPACKET_ALIGN(sizeof(struct tpacket2_hdr)) + sizeof(struct sockaddr_ll) = 52. */
    public static final int TPACKET2_HDRLEN =
            LinuxConstants.tpacketAlign((int) LAYOUT.byteSize()) + (int) SockaddrLl.LAYOUT.byteSize();

    /** Where the kernel writes the RX slot's sockaddr_ll (af_packet.c tpacket_rcv: h.raw + TPACKET_ALIGN(hdrlen)). */
    public static final int SOCKADDR_LL_OFFSET = LinuxConstants.tpacketAlign((int) LAYOUT.byteSize());

    /**
     * Where a TX slot's frame starts when PACKET_TX_HAS_OFF is off: {@code po->tp_hdrlen -
     * sizeof(struct sockaddr_ll)} in af_packet.c tpacket_parse_header, i.e. 32 for TPACKET_V2.
     */
    public static final int TX_DATA_OFFSET = TPACKET2_HDRLEN - (int) SockaddrLl.LAYOUT.byteSize();

    private Tpacket2Hdr() {
    }
}
