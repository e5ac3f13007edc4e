package org.quietbridge.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import org.junit.jupiter.api.Test;

/**
 * Sizes and field offsets of every struct against the kernel's uapi headers (LP64: x86_64, arm64).
 * The expected numbers are read off the headers cited at each test, and were cross-checked with
 * {@code offsetof}/{@code sizeof} compiled against linux-libc-dev for Linux 6.x.
 */
class StructLayoutsTest {

    private static long offset(StructLayout layout, String... path) {
        MemoryLayout.PathElement[] elements = new MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = groupElement(path[i]);
        }
        return layout.byteOffset(elements);
    }

    /** include/uapi/linux/if_packet.h struct sockaddr_ll. */
    @Test
    void sockaddrLlMatchesIfPacketH() {
        StructLayout l = SockaddrLl.LAYOUT;
        assertEquals(20, l.byteSize());
        assertEquals(0, offset(l, "sll_family"));
        assertEquals(2, offset(l, "sll_protocol"));
        assertEquals(4, offset(l, "sll_ifindex"));
        assertEquals(8, offset(l, "sll_hatype"));
        assertEquals(10, offset(l, "sll_pkttype"));
        assertEquals(11, offset(l, "sll_halen"));
        assertEquals(12, offset(l, "sll_addr"));
        assertEquals(8, l.select(groupElement("sll_addr")).byteSize());
        assertEquals(10, SockaddrLl.SLL_PKTTYPE_OFFSET);
    }

    /** include/uapi/linux/if_packet.h struct tpacket_req. */
    @Test
    void tpacketReqMatchesIfPacketH() {
        StructLayout l = TpacketReq.LAYOUT;
        assertEquals(16, l.byteSize());
        assertEquals(0, offset(l, "tp_block_size"));
        assertEquals(4, offset(l, "tp_block_nr"));
        assertEquals(8, offset(l, "tp_frame_size"));
        assertEquals(12, offset(l, "tp_frame_nr"));
    }

    /** include/uapi/linux/if_packet.h struct tpacket2_hdr and TPACKET2_HDRLEN. */
    @Test
    void tpacket2HdrMatchesIfPacketH() {
        StructLayout l = Tpacket2Hdr.LAYOUT;
        assertEquals(32, l.byteSize());
        assertEquals(0, offset(l, "tp_status"));
        assertEquals(4, offset(l, "tp_len"));
        assertEquals(8, offset(l, "tp_snaplen"));
        assertEquals(12, offset(l, "tp_mac"));
        assertEquals(14, offset(l, "tp_net"));
        assertEquals(16, offset(l, "tp_sec"));
        assertEquals(20, offset(l, "tp_nsec"));
        assertEquals(24, offset(l, "tp_vlan_tci"));
        assertEquals(26, offset(l, "tp_vlan_tpid"));
        assertEquals(28, offset(l, "tp_padding"));
        // TPACKET2_HDRLEN = TPACKET_ALIGN(32) + sizeof(struct sockaddr_ll) = 32 + 20
        assertEquals(52, Tpacket2Hdr.TPACKET2_HDRLEN);
        // tpacket_rcv: sll = h.raw + TPACKET_ALIGN(sizeof(*h.h2))
        assertEquals(32, Tpacket2Hdr.SOCKADDR_LL_OFFSET);
        // tpacket_parse_header: off = po->tp_hdrlen - sizeof(struct sockaddr_ll)
        assertEquals(32, Tpacket2Hdr.TX_DATA_OFFSET);
    }

    /** include/uapi/linux/if_packet.h struct tpacket_req3. */
    @Test
    void tpacketReq3MatchesIfPacketH() {
        StructLayout l = TpacketReq3.LAYOUT;
        assertEquals(28, l.byteSize());
        assertEquals(0, offset(l, "tp_block_size"));
        assertEquals(4, offset(l, "tp_block_nr"));
        assertEquals(8, offset(l, "tp_frame_size"));
        assertEquals(12, offset(l, "tp_frame_nr"));
        assertEquals(16, offset(l, "tp_retire_blk_tov"));
        assertEquals(20, offset(l, "tp_sizeof_priv"));
        assertEquals(24, offset(l, "tp_feature_req_word"));
    }

    /** include/uapi/linux/if_packet.h struct tpacket3_hdr (with hv1) and TPACKET3_HDRLEN. */
    @Test
    void tpacket3HdrMatchesIfPacketH() {
        StructLayout l = Tpacket3Hdr.LAYOUT;
        assertEquals(48, l.byteSize());
        assertEquals(0, offset(l, "tp_next_offset"));
        assertEquals(4, offset(l, "tp_sec"));
        assertEquals(8, offset(l, "tp_nsec"));
        assertEquals(12, offset(l, "tp_snaplen"));
        assertEquals(16, offset(l, "tp_len"));
        assertEquals(20, offset(l, "tp_status"));
        assertEquals(24, offset(l, "tp_mac"));
        assertEquals(26, offset(l, "tp_net"));
        assertEquals(28, offset(l, "hv1"));
        assertEquals(28, offset(l, "hv1", "tp_rxhash"));
        assertEquals(32, offset(l, "hv1", "tp_vlan_tci"));
        assertEquals(36, offset(l, "hv1", "tp_vlan_tpid"));
        assertEquals(38, offset(l, "hv1", "tp_padding"));
        assertEquals(12, Tpacket3Hdr.HV1.byteSize());
        assertEquals(40, offset(l, "tp_padding"));
        // TPACKET3_HDRLEN = TPACKET_ALIGN(48) + sizeof(struct sockaddr_ll) = 48 + 20
        assertEquals(68, Tpacket3Hdr.TPACKET3_HDRLEN);
        assertEquals(48, Tpacket3Hdr.SOCKADDR_LL_OFFSET);
        // tpacket_parse_header: off = po->tp_hdrlen - sizeof(struct sockaddr_ll)
        assertEquals(48, Tpacket3Hdr.TX_DATA_OFFSET);
    }

    /** include/uapi/linux/if_packet.h struct tpacket_block_desc with struct tpacket_hdr_v1 (bh1). */
    @Test
    void tpacketBlockDescMatchesIfPacketH() {
        StructLayout l = TpacketBlockDesc.LAYOUT;
        assertEquals(48, l.byteSize());
        assertEquals(40, TpacketBlockDesc.HDR_V1.byteSize());
        assertEquals(8, TpacketBlockDesc.TS.byteSize());
        assertEquals(0, offset(l, "version"));
        assertEquals(4, offset(l, "offset_to_priv"));
        assertEquals(8, offset(l, "bh1"));
        assertEquals(8, offset(l, "bh1", "block_status"));
        assertEquals(12, offset(l, "bh1", "num_pkts"));
        assertEquals(16, offset(l, "bh1", "offset_to_first_pkt"));
        assertEquals(20, offset(l, "bh1", "blk_len"));
        assertEquals(24, offset(l, "bh1", "seq_num"));
        assertEquals(32, offset(l, "bh1", "ts_first_pkt"));
        assertEquals(40, offset(l, "bh1", "ts_last_pkt"));
    }

    /** include/uapi/linux/if_packet.h struct tpacket_stats. */
    @Test
    void tpacketStatsMatchesIfPacketH() {
        StructLayout l = TpacketStats.LAYOUT;
        assertEquals(8, l.byteSize());
        assertEquals(0, offset(l, "tp_packets"));
        assertEquals(4, offset(l, "tp_drops"));
    }

    /** include/uapi/linux/if_packet.h struct tpacket_stats_v3: tpacket_stats, then the freeze count. */
    @Test
    void tpacketStatsV3MatchesIfPacketH() {
        StructLayout l = TpacketStatsV3.LAYOUT;
        assertEquals(12, l.byteSize());
        assertEquals(0, offset(l, "tp_packets"));
        assertEquals(4, offset(l, "tp_drops"));
        assertEquals(8, offset(l, "tp_freeze_q_cnt"));
    }

    /** include/uapi/linux/virtio_net.h struct virtio_net_hdr (the legacy header packet sockets use). */
    @Test
    void virtioNetHdrMatchesVirtioNetH() {
        StructLayout l = VirtioNetHdr.LAYOUT;
        assertEquals(10, l.byteSize());
        assertEquals(10, VirtioNetHdr.SIZE);
        assertEquals(0, offset(l, "flags"));
        assertEquals(1, offset(l, "gso_type"));
        assertEquals(2, offset(l, "hdr_len"));
        assertEquals(4, offset(l, "gso_size"));
        assertEquals(6, offset(l, "csum_start"));
        assertEquals(8, offset(l, "csum_offset"));
        assertEquals(1, VirtioNetHdr.VIRTIO_NET_HDR_F_NEEDS_CSUM);
        assertEquals(2, VirtioNetHdr.VIRTIO_NET_HDR_F_DATA_VALID);
        assertEquals(0, VirtioNetHdr.VIRTIO_NET_HDR_GSO_NONE);
        assertEquals(1, VirtioNetHdr.VIRTIO_NET_HDR_GSO_TCPV4);
        assertEquals(3, VirtioNetHdr.VIRTIO_NET_HDR_GSO_UDP);
        assertEquals(4, VirtioNetHdr.VIRTIO_NET_HDR_GSO_TCPV6);
        assertEquals(5, VirtioNetHdr.VIRTIO_NET_HDR_GSO_UDP_L4);
        assertEquals(0x80, VirtioNetHdr.VIRTIO_NET_HDR_GSO_ECN);
    }

    /** include/uapi/linux/if_packet.h struct packet_mreq. */
    @Test
    void packetMreqMatchesIfPacketH() {
        StructLayout l = PacketMreq.LAYOUT;
        assertEquals(16, l.byteSize());
        assertEquals(0, offset(l, "mr_ifindex"));
        assertEquals(4, offset(l, "mr_type"));
        assertEquals(6, offset(l, "mr_alen"));
        assertEquals(8, offset(l, "mr_address"));
    }

    /** include/uapi/linux/if.h struct ifreq (and struct ifmap, its largest union member), LP64. */
    @Test
    void ifreqMatchesIfH() {
        StructLayout l = Ifreq.LAYOUT;
        assertEquals(40, l.byteSize());
        assertEquals(8, l.byteAlignment());
        assertEquals(0, Ifreq.IFR_NAME_OFFSET);
        assertEquals(16, offset(l, "ifr_ifru"));
        assertEquals(16, offset(l, "ifr_ifru", "ifru_flags"));
        assertEquals(16, offset(l, "ifr_ifru", "ifru_ivalue"));
        assertEquals(16, offset(l, "ifr_ifru", "ifru_mtu"));
        assertEquals(16, offset(l, "ifr_ifru", "ifru_data"));
        assertEquals(24, Ifreq.IFMAP.byteSize());
        assertEquals(16, Ifreq.IFMAP.byteOffset(groupElement("base_addr")));
        assertEquals(20, Ifreq.IFMAP.byteOffset(groupElement("port")));
    }

    /** include/uapi/linux/ethtool.h struct ethtool_value. */
    @Test
    void ethtoolValueMatchesEthtoolH() {
        StructLayout l = EthtoolValue.LAYOUT;
        assertEquals(8, l.byteSize());
        assertEquals(0, offset(l, "cmd"));
        assertEquals(4, offset(l, "data"));
    }

    /** include/uapi/asm-generic/poll.h struct pollfd. */
    @Test
    void pollfdMatchesPollH() {
        StructLayout l = Pollfd.LAYOUT;
        assertEquals(8, l.byteSize());
        assertEquals(0, offset(l, "fd"));
        assertEquals(4, offset(l, "events"));
        assertEquals(6, offset(l, "revents"));
    }
}
