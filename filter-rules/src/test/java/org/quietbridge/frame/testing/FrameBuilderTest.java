package org.quietbridge.frame.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.frame.Arp;
import org.quietbridge.frame.Ethernet;

/**
 * The builder against frames written out byte by byte, so a builder bug cannot hide behind a
 * decoder that shares it. The checksums in the hex were computed independently of
 * {@link Checksums}.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FrameBuilderTest {

    static final String UNTAGGED_NETBIOS_NAME_BROADCAST = """
            ffffffffffff 001122334455       # dst broadcast, src
            0800                            # IPv4
            4500 0020 1234 0000 4011 5385   # IHL 5, total 32, id, no flags, TTL 64, UDP, checksum
            0a080105 0a08ffff               # 10.8.1.5 -> 10.8.255.255
            0089 0089 000c e7ab             # UDP 137 -> 137, length 12, checksum
            00010203                        # data
            """;

    static final String QINQ_TCP_WITH_ROUTER_ALERT = """
            00005e005301 020000000001       # dst, src
            88a8 00c8                       # S-tag, VID 200
            8100 400a                       # C-tag, PCP 2, VID 10
            0800                            # IPv4
            4600 002c 1234 0000 4006 442e   # IHL 6, total 44, TCP
            c0a80714 c0a80701               # 192.168.7.20 -> 192.168.7.1
            94040000                        # option: router alert (RFC 2113)
            c000 01bd 00000001 00000000     # TCP 49152 -> 445, seq 1, ack 0
            5018 ffff 5ea8 0000             # data offset 5, PSH ACK, window, checksum, urgent
            """;

    static final String TAGGED_ARP_REQUEST = """
            ffffffffffff 001122334455       # dst broadcast, src
            8100 b064                       # 802.1Q, PCP 5, DEI, VID 100
            0806                            # ARP
            0001 0800 06 04 0001            # Ethernet, IPv4, hlen 6, plen 4, request
            001122334455 0a080105           # sender 00:11:22:33:44:55 10.8.1.5
            000000000000 0a080101           # target ? 10.8.1.1
            """;

    static final String STP_CONFIGURATION_BPDU = """
            0180c2000000 001122334455       # dst: bridge group address, src
            0026                            # 802.3 length 38
            42 42 03                        # LLC DSAP, SSAP (spanning tree), UI
            0000 00 00 00                   # protocol id, version, configuration BPDU, flags
            8000001122334455 00000000       # root id, root path cost
            8000001122334455 8001           # bridge id, port id
            0000 1400 0200 0f00             # message age, max age 20 s, hello 2 s, forward delay 15 s
            0000000000000000                # padding to 60 bytes
            """;

    @Test
    void buildsUntaggedUdpBroadcastByteForByte() {
        byte[] built = FrameBuilder.ethernet().src("00:11:22:33:44:55").broadcast()
                .udp("10.8.1.5", "10.8.255.255", 137, 137).payload(4).build();
        assertArrayEquals(Hex.bytes(UNTAGGED_NETBIOS_NAME_BROADCAST), built, () -> Hex.of(built));
    }

    @Test
    void buildsQinQTcpWithOptionsByteForByte() {
        byte[] built = FrameBuilder.ethernet().vlan(Ethernet.TPID_8021AD, 200).tag(Ethernet.TPID_8021Q, 0x400a)
                .tcp("192.168.7.20", "192.168.7.1", 49152, 445).options((byte) 0x94, (byte) 4, (byte) 0, (byte) 0)
                .build();
        assertArrayEquals(Hex.bytes(QINQ_TCP_WITH_ROUTER_ALERT), built, () -> Hex.of(built));
    }

    @Test
    void buildsTaggedArpRequestByteForByte() {
        byte[] built = FrameBuilder.ethernet().src("00:11:22:33:44:55").broadcast().tag(Ethernet.TPID_8021Q, 0xb064)
                .arp(Arp.OPERATION_REQUEST, Ethernet.parseMac("00:11:22:33:44:55"), "10.8.1.5", 0, "10.8.1.1")
                .build();
        assertArrayEquals(Hex.bytes(TAGGED_ARP_REQUEST), built, () -> Hex.of(built));
    }

    @Test
    void buildsPaddedLlcFrameByteForByte() {
        byte[] bpdu = Hex.bytes("""
                0000 00 00 00 8000001122334455 00000000 8000001122334455 8001 0000 1400 0200 0f00
                """);
        byte[] built = FrameBuilder.ethernet().dst("01:80:c2:00:00:00").src("00:11:22:33:44:55")
                .llc(0x42, 0x42, 0x03, bpdu).padTo(60).build();
        assertArrayEquals(Hex.bytes(STP_CONFIGURATION_BPDU), built, () -> Hex.of(built));
    }

    @Test
    void internetChecksumMatchesAPublishedHeader() {
        // The IPv4 header used as the worked example of RFC 1071 arithmetic in many texts:
        // 192.168.0.1 -> 192.168.0.199, UDP, checksum 0xb861.
        byte[] header = Hex.bytes("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
        assertEquals(0xb861, Checksums.internet(header, 0, header.length, 0));
        header[10] = (byte) 0xb8;
        header[11] = (byte) 0x61;
        assertTrue(Checksums.ipv4HeaderValid(header, 0));
    }

    @Test
    void builtHeadersCarryValidChecksums() {
        byte[] frame = Hex.bytes(QINQ_TCP_WITH_ROUTER_ALERT);
        assertTrue(Checksums.ipv4HeaderValid(frame, 22));
        int source = 0xc0a80714;
        int destination = 0xc0a80701;
        int pseudo = Checksums.pseudoHeaderSum(source, destination, 6, 20);
        assertEquals(0, Checksums.internet(frame, 22 + 24, 20, pseudo), "TCP checksum verifies");
    }

    @Test
    void hexIgnoresWhitespaceAndComments() {
        assertArrayEquals(new byte[] {0x01, (byte) 0xab, 0x0c}, Hex.bytes(" 01ab # not 99\n 0c # nor ff "));
    }
}
