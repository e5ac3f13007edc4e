package org.quietbridge.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct virtio_net_hdr}, which a packet socket with PACKET_VNET_HDR puts in front of every
 * frame it receives and expects in front of every frame it sends, from include/uapi/linux/virtio_net.h:
 * <pre>
 * struct virtio_net_hdr {
 *     __u8      flags;        // 0  VIRTIO_NET_HDR_F_NEEDS_CSUM, _F_DATA_VALID
 *     __u8      gso_type;     // 1  VIRTIO_NET_HDR_GSO_NONE, _TCPV4, _UDP, _TCPV6, _UDP_L4; | _ECN
 *     __virtio16 hdr_len;     // 2  bytes of headers (RX: the skb's linear part; TX: a hint for the copy)
 *     __virtio16 gso_size;    // 4  payload bytes per segment
 *     __virtio16 csum_start;  // 6  where the checksummed range starts, from the frame's first byte
 *     __virtio16 csum_offset; // 8  where the checksum goes, from csum_start
 * };                          // 10 bytes
 * </pre>
 * A packet socket uses the legacy layout in the machine's own byte order (af_packet.c {@code vio_le()}
 * is {@code virtio_legacy_is_little_endian()}, true on little-endian machines), so the 16-bit fields are
 * read and written in native order. The fields are not aligned in a ring slot, hence the unaligned layouts.
 *
 * <p>RX (net/packet/af_packet.c tpacket_rcv): the header sits right before the frame, at
 * {@code tp_mac - 10}. TX (tpacket_snd): the header starts the slot's data and the frame follows;
 * tp_len counts both.
 */
public final class VirtioNetHdr {
    /** The checksum from csum_start to the end is not filled in; the field at csum_start + csum_offset holds the pseudo-header sum. */
    public static final int VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
    /** The checksum was verified (RX only). */
    public static final int VIRTIO_NET_HDR_F_DATA_VALID = 2;

    public static final int VIRTIO_NET_HDR_GSO_NONE = 0;
    public static final int VIRTIO_NET_HDR_GSO_TCPV4 = 1;
    /** UFO: one UDP datagram cut into IPv4 fragments. */
    public static final int VIRTIO_NET_HDR_GSO_UDP = 3;
    public static final int VIRTIO_NET_HDR_GSO_TCPV6 = 4;
    /** USO: UDP segmentation, each segment its own datagram (Linux 6.2 and later on packet sockets). */
    public static final int VIRTIO_NET_HDR_GSO_UDP_L4 = 5;
    /** Flag on gso_type: the TCP segments carry ECN CWR. */
    public static final int VIRTIO_NET_HDR_GSO_ECN = 0x80;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("flags"),
            JAVA_BYTE.withName("gso_type"),
            JAVA_SHORT_UNALIGNED.withName("hdr_len"),
            JAVA_SHORT_UNALIGNED.withName("gso_size"),
            JAVA_SHORT_UNALIGNED.withName("csum_start"),
            JAVA_SHORT_UNALIGNED.withName("csum_offset"))
            .withName("virtio_net_hdr");

    /** sizeof(struct virtio_net_hdr). */
    public static final int SIZE = (int) LAYOUT.byteSize();

    /** (MemorySegment, long base) -> byte. */
    public static final VarHandle FLAGS = LAYOUT.varHandle(groupElement("flags"));
    /** (MemorySegment, long base) -> byte. */
    public static final VarHandle GSO_TYPE = LAYOUT.varHandle(groupElement("gso_type"));
    /** (MemorySegment, long base) -> short (unsigned). */
    public static final VarHandle HDR_LEN = LAYOUT.varHandle(groupElement("hdr_len"));
    /** (MemorySegment, long base) -> short (unsigned). */
    public static final VarHandle GSO_SIZE = LAYOUT.varHandle(groupElement("gso_size"));
    /** (MemorySegment, long base) -> short (unsigned). */
    public static final VarHandle CSUM_START = LAYOUT.varHandle(groupElement("csum_start"));
    /** (MemorySegment, long base) -> short (unsigned). */
    public static final VarHandle CSUM_OFFSET = LAYOUT.varHandle(groupElement("csum_offset"));

    private VirtioNetHdr() {
    }
}
