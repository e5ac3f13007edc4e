package org.quietbridge.bridge.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

/** Constant values against the headers they come from. */
class LinuxConstantsTest {

    /** include/uapi/linux/if_packet.h */
    @Test
    void packetSocketConstantsMatchIfPacketH() {
        assertEquals(1, LinuxConstants.PACKET_ADD_MEMBERSHIP);
        assertEquals(5, LinuxConstants.PACKET_RX_RING);
        assertEquals(6, LinuxConstants.PACKET_STATISTICS);
        assertEquals(10, LinuxConstants.PACKET_VERSION);
        assertEquals(13, LinuxConstants.PACKET_TX_RING);
        assertEquals(14, LinuxConstants.PACKET_LOSS);
        assertEquals(7, LinuxConstants.PACKET_COPY_THRESH);
        assertEquals(15, LinuxConstants.PACKET_VNET_HDR);
        assertEquals(8, LinuxConstants.SO_RCVBUF);
        assertEquals(33, LinuxConstants.SO_RCVBUFFORCE);
        assertEquals(0x20, LinuxConstants.MSG_TRUNC);
        assertEquals(20, LinuxConstants.PACKET_QDISC_BYPASS);
        assertEquals(23, LinuxConstants.PACKET_IGNORE_OUTGOING);
        assertEquals(4, LinuxConstants.PACKET_OUTGOING);
        assertEquals(1, LinuxConstants.PACKET_MR_PROMISC);
        assertEquals(1, LinuxConstants.TPACKET_V2);
        assertEquals(16, LinuxConstants.TPACKET_ALIGNMENT);
        assertEquals(0, Tpacket2Hdr.TP_STATUS_KERNEL);
        assertEquals(1, Tpacket2Hdr.TP_STATUS_USER);
        assertEquals(2, Tpacket2Hdr.TP_STATUS_COPY);
        assertEquals(4, Tpacket2Hdr.TP_STATUS_LOSING);
        assertEquals(8, Tpacket2Hdr.TP_STATUS_CSUM_NOT_READY);
        assertEquals(16, Tpacket2Hdr.TP_STATUS_VLAN_VALID);
        assertEquals(64, Tpacket2Hdr.TP_STATUS_VLAN_TPID_VALID);
        assertEquals(0, Tpacket2Hdr.TP_STATUS_AVAILABLE);
        assertEquals(1, Tpacket2Hdr.TP_STATUS_SEND_REQUEST);
        assertEquals(2, Tpacket2Hdr.TP_STATUS_SENDING);
        assertEquals(4, Tpacket2Hdr.TP_STATUS_WRONG_FORMAT);
    }

    /** include/linux/socket.h, include/uapi/linux/if_ether.h, sockios.h, ethtool.h, poll.h */
    @Test
    void socketIoctlAndPollConstantsMatchHeaders() {
        assertEquals(17, LinuxConstants.AF_PACKET);
        assertEquals(263, LinuxConstants.SOL_PACKET);
        assertEquals(3, LinuxConstants.SOCK_RAW);
        assertEquals(0x40, LinuxConstants.MSG_DONTWAIT);
        assertEquals(0x0003, LinuxConstants.ETH_P_ALL);
        assertEquals(0x8913, Ifreq.SIOCGIFFLAGS);
        assertEquals(0x8914, Ifreq.SIOCSIFFLAGS);
        assertEquals(0x8921, Ifreq.SIOCGIFMTU);
        assertEquals(0x8933, Ifreq.SIOCGIFINDEX);
        assertEquals(0x8946, Ifreq.SIOCETHTOOL);
        assertEquals(0x25, EthtoolValue.ETHTOOL_GFLAGS);
        assertEquals(0x26, EthtoolValue.ETHTOOL_SFLAGS);
        assertEquals(0x2b, EthtoolValue.ETHTOOL_GGRO);
        assertEquals(0x2c, EthtoolValue.ETHTOOL_SGRO);
        assertEquals(1 << 15, EthtoolValue.ETH_FLAG_LRO);
        assertEquals(1, Pollfd.POLLIN);
    }

    @Test
    void htonsPutsTheProtocolInNetworkOrder() {
        int wire = LinuxConstants.htons(LinuxConstants.ETH_P_ALL);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(2);
            s.set(ValueLayout.JAVA_SHORT, 0, (short) wire);
            assertEquals(0x00, s.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(0x03, s.get(ValueLayout.JAVA_BYTE, 1));
        }
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            assertEquals(0x0300, wire);
        }
    }

    @Test
    void sockaddrLlProtocolIsWrittenBigEndian() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(SockaddrLl.LAYOUT);
            SockaddrLl.SLL_PROTOCOL.set(s, 0L, (short) LinuxConstants.ETH_P_8021Q);
            assertEquals((byte) 0x81, s.get(ValueLayout.JAVA_BYTE, 2));
            assertEquals((byte) 0x00, s.get(ValueLayout.JAVA_BYTE, 3));
        }
    }

    @Test
    void errnoTableNamesAndDescribesLinuxErrnos() {
        assertEquals("EINVAL", Errno.name(22));
        assertEquals("Invalid argument", Errno.description(22));
        assertEquals("ENOPROTOOPT", Errno.name(Errno.ENOPROTOOPT));
        assertEquals("ENETDOWN", Errno.name(Errno.ENETDOWN));
        assertEquals("ENOBUFS", Errno.name(Errno.ENOBUFS));
        assertEquals("EMSGSIZE", Errno.name(Errno.EMSGSIZE));
        assertEquals("EOPNOTSUPP", Errno.name(Errno.EOPNOTSUPP));
        assertEquals("EHWPOISON", Errno.name(133));
        assertEquals("E9999", Errno.name(9999));
        assertEquals("Unknown error 9999", Errno.description(9999));
        assertEquals("E0", Errno.name(0));
    }
}
