package org.quietbridge.frame.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
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

    @Test
    void buildsUntaggedUdpBroadcastByteForByte() {
        byte[] built = FrameBuilder.ethernet().src("00:11:22:33:44:55").broadcast()
                .udp("10.8.1.5", "10.8.255.255", 137, 137).payload(4).build();
        assertArrayEquals(Hex.bytes(HexFrames.UNTAGGED_NETBIOS_NAME_BROADCAST), built, () -> Hex.of(built));
    }

    @Test
    void buildsQinQTcpWithOptionsByteForByte() {
        byte[] built = FrameBuilder.ethernet().vlan(Ethernet.TPID_8021AD, 200).tag(Ethernet.TPID_8021Q, 0x400a)
                .tcp("192.168.7.20", "192.168.7.1", 49152, 445).options((byte) 0x94, (byte) 4, (byte) 0, (byte) 0)
                .build();
        assertArrayEquals(Hex.bytes(HexFrames.QINQ_TCP_WITH_ROUTER_ALERT), built, () -> Hex.of(built));
    }

    @Test
    void buildsTaggedArpRequestByteForByte() {
        byte[] built = FrameBuilder.ethernet().src("00:11:22:33:44:55").broadcast().tag(Ethernet.TPID_8021Q, 0xb064)
                .arp(Arp.OPERATION_REQUEST, Ethernet.parseMac("00:11:22:33:44:55"), "10.8.1.5", 0, "10.8.1.1")
                .build();
        assertArrayEquals(Hex.bytes(HexFrames.TAGGED_ARP_REQUEST), built, () -> Hex.of(built));
    }

    @Test
    void buildsPaddedLlcFrameByteForByte() {
        byte[] bpdu = Hex.bytes("""
                0000 00 00 00 8000001122334455 00000000 8000001122334455 8001 0000 1400 0200 0f00
                """);
        byte[] built = FrameBuilder.ethernet().dst("01:80:c2:00:00:00").src("00:11:22:33:44:55")
                .llc(0x42, 0x42, 0x03, bpdu).padTo(60).build();
        assertArrayEquals(Hex.bytes(HexFrames.STP_CONFIGURATION_BPDU), built, () -> Hex.of(built));
    }

    @Test
    void buildsIhl15HeaderByteForByte() {
        byte[] options = new byte[40];
        Arrays.fill(options, 0, 39, (byte) 1);
        byte[] built = FrameBuilder.ethernet().src("00:11:22:33:44:55").broadcast()
                .udp("10.14.35.1", "10.14.35.255", 138, 138).options(options)
                .payload(new byte[] {(byte) 0xaa, (byte) 0xbb}).build();
        assertArrayEquals(Hex.bytes(HexFrames.IHL_15_NETBIOS_DATAGRAM), built, () -> Hex.of(built));
    }

    @Test
    void buildsLaterFragmentByteForByte() {
        byte[] built = FrameBuilder.ethernet().dst("01:00:5e:00:00:fb").src("00:11:22:33:44:55")
                .ipv4("10.8.1.5", "224.0.0.251").protocol(17).laterFragment(185, true)
                .payload(Hex.bytes("14e914e9 00000000")).build();
        assertArrayEquals(Hex.bytes(HexFrames.LATER_FRAGMENT_MDNS), built, () -> Hex.of(built));
    }

    @Test
    void padsShortFramesWithZerosByteForByte() {
        byte[] built = FrameBuilder.ethernet().dst("00:11:22:33:44:66").src("00:11:22:33:44:55")
                .udp("10.8.1.5", "10.8.1.6", 137, 137).done().padTo(60).build();
        assertArrayEquals(Hex.bytes(HexFrames.PADDED_SHORT_UDP), built, () -> Hex.of(built));
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
        byte[] frame = Hex.bytes(HexFrames.QINQ_TCP_WITH_ROUTER_ALERT);
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
