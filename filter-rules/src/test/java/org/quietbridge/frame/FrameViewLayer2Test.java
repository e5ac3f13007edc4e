package org.quietbridge.frame;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.frame.testing.Hex;

/** The MAC header: addresses and their class, 802.3/LLC against Ethernet II, IPv6 by EtherType. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FrameViewLayer2Test {

    /** An STP configuration BPDU as a switch sends it, padded to 60 bytes. */
    private static final String BPDU = """
            0180c2000000 001122334455       # dst: bridge group address, src
            0026                            # 802.3 length 38
            42 42 03                        # LLC: DSAP, SSAP spanning tree; UI
            0000 00 00 00                   # protocol id, version, configuration BPDU, flags
            8000001122334455 00000000       # root id, root path cost
            8000001122334455 8001           # bridge id, port id
            0000 1400 0200 0f00             # timers
            0000000000000000                # padding
            """;

    @Test
    void decodesStpBpduAsLlc() {
        FrameView v = decode(Hex.bytes(BPDU));
        assertAll(
                () -> assertEquals(Malformation.NONE, v.malformation()),
                () -> assertEquals(FrameView.ETHERTYPE_8023, v.etherType()),
                () -> assertTrue(v.llc()),
                () -> assertEquals(0x42, v.llcDsap()),
                () -> assertEquals(0x42, v.llcSsap()),
                () -> assertEquals(14, v.l3Offset()),
                () -> assertEquals(0x0180c2000000L, v.destinationMac()),
                () -> assertEquals(L2Class.MULTICAST, v.l2Class()),
                () -> assertFalse(v.ipv4()),
                () -> assertFalse(v.ipv6()),
                () -> assertFalse(v.arp()),
                () -> assertEquals(-1, v.ipProtocol()));
    }

    @Test
    void decodesLlcBehindAVlanTag() {
        byte[] f = FrameBuilder.ethernet().dst("01:80:c2:00:00:00").vlan(Ethernet.TPID_8021Q, 5)
                .llc(0xaa, 0xaa, 0x03, new byte[] {0, 0, 0x0c, 0x20, 0x00}).build();
        FrameView v = decode(f);
        assertTrue(v.llc());
        assertEquals(0xaa, v.llcDsap(), "SNAP DSAP");
        assertEquals(0xaa, v.llcSsap(), "SNAP SSAP");
        assertEquals(18, v.l3Offset());
        assertEquals(5, v.vlanId());
    }

    /**
     * IEEE 802.3 clause 3.2.6: 1536 (0x0600) and up is an EtherType, 1500 and below a length.
     * 1501..1535 are neither; like Linux's {@code eth_type_trans} the decoder takes every value
     * below 0x0600 as an 802.3 length.
     */
    @ParameterizedTest(name = "type/length 0x{0} -> 802.3 {1}")
    @CsvSource({
        "0000, true",
        "0026, true",
        "05dc, true",
        "05dd, true",
        "05ff, true",
        "0600, false",
        "0800, false",
        "88b5, false",
    })
    void splitsEtherTypeFromLengthAt0x0600(String typeHex, boolean ieee8023) {
        FrameView v = decode(Hex.bytes("ffffffffffff 001122334455" + typeHex + "424203 00000000"));
        int type = Integer.parseInt(typeHex, 16);
        assertEquals(ieee8023 ? FrameView.ETHERTYPE_8023 : type, v.etherType());
        assertEquals(ieee8023, v.llc());
        assertEquals(ieee8023 ? 0x42 : -1, v.llcDsap());
    }

    @Test
    void recognisesIpv6ByEtherTypeOnly() {
        byte[] src = new byte[16];
        src[0] = (byte) 0xfe;
        src[1] = (byte) 0x80;
        src[15] = 1;
        byte[] dst = Hex.bytes("ff02 0000 0000 0000 0000 0000 0000 0001");
        byte[] f = FrameBuilder.ethernet().dst("33:33:00:00:00:01").ipv6(17, src, dst, new byte[12]).build();
        FrameView v = decode(f);
        assertAll(
                () -> assertEquals(Malformation.NONE, v.malformation()),
                () -> assertTrue(v.ipv6()),
                () -> assertEquals(Ethernet.ETHERTYPE_IPV6, v.etherType()),
                () -> assertFalse(v.ipv4()),
                () -> assertFalse(v.hasPorts(), "IPv6 is not decoded past the EtherType"),
                () -> assertEquals(-1, v.ipProtocol()),
                () -> assertEquals(L2Class.MULTICAST, v.l2Class()),
                () -> assertEquals(14, v.l3Offset()));
    }

    @Test
    void recognisesIpv6InsideQinQ() {
        FrameView v = decode(Hex.bytes("333300000001 001122334455 88a8 0064 8100 000a 86dd 6000000000000000"));
        assertTrue(v.ipv6());
        assertEquals(22, v.l3Offset());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "ff:ff:ff:ff:ff:ff, BROADCAST",
        "01:00:5e:00:00:01, MULTICAST",   // IPv4 multicast (RFC 1112)
        "01:00:5e:7f:ff:fa, MULTICAST",   // SSDP 239.255.255.250
        "33:33:00:00:00:01, MULTICAST",   // IPv6 multicast (RFC 2464)
        "33:33:ff:00:00:01, MULTICAST",   // IPv6 solicited-node
        "01:80:c2:00:00:00, MULTICAST",   // 802.1D bridge group address
        "01:80:c2:00:00:0e, MULTICAST",   // LLDP
        "03:bf:0a:0e:23:f7, MULTICAST",   // NLB multicast mode
        "ff:ff:ff:ff:ff:fe, MULTICAST",   // group bit set, not all ones
        "00:11:22:33:44:55, UNICAST",
        "02:bf:0a:0e:23:f7, UNICAST",     // NLB unicast mode: locally administered unicast
        "fe:ff:ff:ff:ff:ff, UNICAST",     // group bit clear
        "00:00:00:00:00:00, UNICAST",
    })
    void classifiesDestinationMac(String mac, L2Class expected) {
        byte[] f = FrameBuilder.ethernet().dst(mac).raw(0x88b5, new byte[4]).build();
        assertEquals(expected, decode(f).l2Class());
        assertEquals(expected, L2Class.of(Ethernet.parseMac(mac)));
    }

    @Test
    void readsBothMacsInNetworkOrder() {
        FrameView v = decode(Hex.bytes("0a0b0c0d0e0f a1a2a3a4a5a6 88b5 00"));
        assertEquals(0x0a0b0c0d0e0fL, v.destinationMac());
        assertEquals(0xa1a2a3a4a5a6L, v.sourceMac());
        assertEquals("0a:0b:0c:0d:0e:0f", Ethernet.formatMac(v.destinationMac()));
    }

    private static FrameView decode(byte[] f) {
        return new FrameView().wrap(MemorySegment.ofArray(f), 0, f.length);
    }
}
