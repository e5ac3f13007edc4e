package org.quietbridge.frame;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.frame.testing.Hex;
import org.quietbridge.frame.testing.HexFrames;

/** ARP for IPv4 over Ethernet (RFC 826), and the ARP the decoder leaves alone. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FrameViewArpTest {

    private static final long HOST_A = 0x001122334455L;
    private static final long HOST_B = 0x00aabbccddeeL;

    record Expected(int operation, long senderMac, String senderIp, long targetMac, String targetIp) {
    }

    static Stream<Arguments> arpFrames() {
        return Stream.of(
                Arguments.of(named("request, 802.1Q tagged (hex)", Hex.bytes(HexFrames.TAGGED_ARP_REQUEST)),
                        new Expected(Arp.OPERATION_REQUEST, HOST_A, "10.8.1.5", 0, "10.8.1.1")),
                Arguments.of(named("reply, padded to 60 bytes",
                        FrameBuilder.ethernet().dst(HOST_A).src(HOST_B)
                                .arp(Arp.OPERATION_REPLY, HOST_B, "10.8.1.1", HOST_A, "10.8.1.5").padTo(60).build()),
                        new Expected(Arp.OPERATION_REPLY, HOST_B, "10.8.1.1", HOST_A, "10.8.1.5")),
                Arguments.of(named("gratuitous request: sender IP = target IP",
                        FrameBuilder.ethernet().broadcast().src(HOST_B)
                                .arp(Arp.OPERATION_REQUEST, HOST_B, "10.8.1.7", 0, "10.8.1.7").padTo(60).build()),
                        new Expected(Arp.OPERATION_REQUEST, HOST_B, "10.8.1.7", 0, "10.8.1.7")),
                Arguments.of(named("gratuitous reply to the broadcast MAC",
                        FrameBuilder.ethernet().broadcast().src(HOST_B)
                                .arp(Arp.OPERATION_REPLY, HOST_B, "10.8.1.7", Ethernet.BROADCAST_MAC, "10.8.1.7")
                                .build()),
                        new Expected(Arp.OPERATION_REPLY, HOST_B, "10.8.1.7", Ethernet.BROADCAST_MAC, "10.8.1.7")),
                Arguments.of(named("NLB cluster announcing itself (hex)", Hex.bytes("""
                        ffffffffffff 02010a0e23f7       # broadcast, masked member source 02:01:...
                        0806
                        0001 0800 06 04 0001
                        02bf0a0e23f7 0a0e23f7           # sender: cluster MAC 02:bf:10.14.35.247
                        000000000000 0a0e23f7           # target: the cluster IP again
                        000000000000000000000000000000000000
                        """)),
                        new Expected(Arp.OPERATION_REQUEST, 0x02bf0a0e23f7L, "10.14.35.247", 0, "10.14.35.247")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arpFrames")
    void decodesEthernetIpv4Arp(byte[] frame, Expected e) {
        FrameView v = decode(frame);
        assertAll(
                () -> assertEquals(Malformation.NONE, v.malformation()),
                () -> assertEquals(Ethernet.ETHERTYPE_ARP, v.etherType()),
                () -> assertTrue(v.arp()),
                () -> assertEquals(e.operation(), v.arpOperation(), "operation"),
                () -> assertEquals(Ethernet.formatMac(e.senderMac()), Ethernet.formatMac(v.arpSenderMac()), "sha"),
                () -> assertEquals(e.senderIp(), Ipv4.format(v.arpSenderIp()), "spa"),
                () -> assertEquals(Ethernet.formatMac(e.targetMac()), Ethernet.formatMac(v.arpTargetMac()), "tha"),
                () -> assertEquals(e.targetIp(), Ipv4.format(v.arpTargetIp()), "tpa"),
                () -> assertFalse(v.ipv4()),
                () -> assertFalse(v.hasPorts()));
    }

    @Test
    void nlbAnnouncementSenderDiffersFromEthernetSource() {
        FrameView v = decode(FrameBuilder.ethernet().src("02:01:0a:0e:23:f7").nlbGratuitousArp("10.14.35.247").build());
        assertTrue(v.arp());
        assertEquals(NlbMac.UNICAST, NlbMac.of(v.arpSenderMac()));
        assertNotEquals(v.sourceMac(), v.arpSenderMac(), "the NLB signature");
        assertTrue(NlbMac.isMaskedMemberSource(v.sourceMac(), v.arpSenderIp()));
    }

    /** RFC 826 allows any hardware/protocol pair; only Ethernet/IPv4 is decoded, the rest is not an error. */
    @Test
    void leavesIeee802HardwareTypeUndecodedButWellFormed() {
        FrameView v = decode(Hex.bytes("""
                ffffffffffff 001122334455 0806
                0006 0800 06 04 0001            # hardware type 6 (IEEE 802)
                001122334455 0a080105 000000000000 0a080101
                """));
        assertEquals(Malformation.NONE, v.malformation());
        assertEquals(Ethernet.ETHERTYPE_ARP, v.etherType());
        assertFalse(v.arp());
        assertEquals(0, v.arpOperation());
        assertEquals(0, v.arpSenderIp());
    }

    @Test
    void leavesOtherProtocolTypesUndecodedButWellFormed() {
        FrameView v = decode(Hex.bytes("""
                ffffffffffff 001122334455 0806
                0001 86dd 06 10 0001            # Ethernet, IPv6 addresses: not something RFC 826 is used for
                001122334455 fe800000000000000000000000000001
                000000000000 fe800000000000000000000000000002
                """));
        assertEquals(Malformation.NONE, v.malformation());
        assertFalse(v.arp());
    }

    /**
     * Hardware type 1 with protocol 0x0800 fixes the address lengths at 6 and 4 (RFC 826);
     * Linux's arp_rcv drops anything else. {@link Malformation#ARP_TRUNCATED} documents this
     * case ("not IPv4-over-Ethernet sized"), so it is malformed, not silently "other ARP".
     */
    @Test
    void ethernetIpv4ArpWithWrongAddressLengthsIsMalformed() {
        byte[] hlen8 = Hex.bytes(HexFrames.TAGGED_ARP_REQUEST);
        hlen8[18 + Arp.HARDWARE_LENGTH_OFFSET] = 8;
        byte[] plen16 = Hex.bytes(HexFrames.TAGGED_ARP_REQUEST);
        plen16[18 + Arp.PROTOCOL_LENGTH_OFFSET] = 16;
        FrameView a = decode(hlen8);
        FrameView b = decode(plen16);
        assertEquals(Malformation.ARP_TRUNCATED, a.malformation());
        assertFalse(a.arp());
        assertEquals(100, a.vlanId(), "L2 fields stay");
        assertEquals(Malformation.ARP_TRUNCATED, b.malformation());
        assertFalse(b.arp());
    }

    private static FrameView decode(byte[] f) {
        return new FrameView().wrap(MemorySegment.ofArray(f), 0, f.length);
    }
}
