package org.quietbridge.frame;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.frame.testing.Hex;
import org.quietbridge.frame.testing.HexFrames;

/**
 * Frames that cannot be decoded in full: each reports its exact {@link Malformation} and keeps
 * what was decoded before the fault.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FrameViewMalformationTest {

    private static final long BROADCAST = Ethernet.BROADCAST_MAC;
    private static final long HOST = 0x001122334455L;
    private static final long BRIDGES = 0x0180c2000000L;

    /** The fault and the layer-2 fields that must survive it. */
    record Expected(Malformation malformation, long destinationMac, long sourceMac, int tagCount, int etherType,
            int l3Offset) {
    }

    static Stream<Arguments> malformedFrames() {
        return Stream.of(
                row("empty: zero bytes", new byte[0],
                        new Expected(Malformation.EMPTY, 0, 0, 0, 0, 0)),
                row("runt: one byte", udp(1),
                        new Expected(Malformation.RUNT, 0, 0, 0, 0, 0)),
                row("runt: 13 bytes, one short of a MAC header", udp(13),
                        new Expected(Malformation.RUNT, 0, 0, 0, 0, 0)),
                row("Ethernet II header and nothing else (14 bytes)", udp(14),
                        new Expected(Malformation.NO_PAYLOAD, BROADCAST, HOST, 0, 0x0800, 14)),
                row("802.3 header and nothing else (14 bytes)", Hex.bytes("0180c2000000 001122334455 0026"),
                        new Expected(Malformation.NO_PAYLOAD, BRIDGES, HOST, 0, FrameView.ETHERTYPE_8023, 14)),
                row("tagged header and nothing else (18 bytes)", Hex.bytes("ffffffffffff 001122334455 8100 0064 0800"),
                        new Expected(Malformation.NO_PAYLOAD, BROADCAST, HOST, 1, 0x0800, 18)),
                row("VLAN tag cut after its TCI (16 bytes)", Hex.bytes("ffffffffffff 001122334455 8100 0064"),
                        new Expected(Malformation.VLAN_TRUNCATED, BROADCAST, HOST, 0, 0, 0)),
                row("VLAN tag cut inside the EtherType behind it (17 bytes)",
                        Hex.bytes("ffffffffffff 001122334455 8100 0064 08"),
                        new Expected(Malformation.VLAN_TRUNCATED, BROADCAST, HOST, 0, 0, 0)),
                row("VLAN tag cut inside its TCI (15 bytes)", Hex.bytes("ffffffffffff 001122334455 8100 00"),
                        new Expected(Malformation.VLAN_TRUNCATED, BROADCAST, HOST, 0, 0, 0)),
                row("QinQ inner tag cut: the outer tag stays", Hex.bytes("ffffffffffff 001122334455 88a8 00c8 8100 000a"),
                        new Expected(Malformation.VLAN_TRUNCATED, BROADCAST, HOST, 1, 0, 0)),
                rowOob("in-frame tag cut behind an out-of-band tag: the out-of-band tag stays",
                        Hex.bytes("ffffffffffff 001122334455 8100 0064"), 0x88a8, 5,
                        new Expected(Malformation.VLAN_TRUNCATED, BROADCAST, HOST, 1, 0, 0)),
                row("IPv4 header cut at 19 bytes", udp(14 + 19),
                        new Expected(Malformation.IPV4_TRUNCATED, BROADCAST, HOST, 0, 0x0800, 14)),
                row("IPv4 with one byte", udp(15),
                        new Expected(Malformation.IPV4_TRUNCATED, BROADCAST, HOST, 0, 0x0800, 14)),
                row("version 6 under the IPv4 EtherType", withIpv4Byte(0, 0x65),
                        new Expected(Malformation.IPV4_BAD_VERSION, BROADCAST, HOST, 0, 0x0800, 14)),
                row("version 0 under the IPv4 EtherType", withIpv4Byte(0, 0x05),
                        new Expected(Malformation.IPV4_BAD_VERSION, BROADCAST, HOST, 0, 0x0800, 14)),
                row("IHL 4, below the 20-byte minimum", withIpv4Byte(0, 0x44),
                        new Expected(Malformation.IPV4_IHL_TOO_SMALL, BROADCAST, HOST, 0, 0x0800, 14)),
                row("IHL 0", withIpv4Byte(0, 0x40),
                        new Expected(Malformation.IPV4_IHL_TOO_SMALL, BROADCAST, HOST, 0, 0x0800, 14)),
                row("IHL 15 (60 bytes) in a 32-byte packet", withIpv4Byte(0, 0x4f),
                        new Expected(Malformation.IPV4_IHL_BEYOND_FRAME, BROADCAST, HOST, 0, 0x0800, 14)),
                row("IHL 6 with 23 bytes of IPv4 in the frame", withIpv4Byte(udp(14 + 23), 0, 0x46),
                        new Expected(Malformation.IPV4_IHL_BEYOND_FRAME, BROADCAST, HOST, 0, 0x0800, 14)),
                row("total length one more than the frame holds", withIpv4Byte(3, 33),
                        new Expected(Malformation.IPV4_BAD_TOTAL_LENGTH, BROADCAST, HOST, 0, 0x0800, 14)),
                row("total length 32, frame cut after 26 bytes of IPv4", udp(14 + 26),
                        new Expected(Malformation.IPV4_BAD_TOTAL_LENGTH, BROADCAST, HOST, 0, 0x0800, 14)),
                row("total length 19, below IHL", withIpv4Byte(3, 19),
                        new Expected(Malformation.IPV4_BAD_TOTAL_LENGTH, BROADCAST, HOST, 0, 0x0800, 14)),
                row("total length 0", withIpv4Byte(3, 0),
                        new Expected(Malformation.IPV4_BAD_TOTAL_LENGTH, BROADCAST, HOST, 0, 0x0800, 14)),
                row("total length 23 with IHL 6", withIpv4Byte(withIpv4Byte(0, 0x46), 3, 23),
                        new Expected(Malformation.IPV4_BAD_TOTAL_LENGTH, BROADCAST, HOST, 0, 0x0800, 14)),
                row("UDP first fragment with 3 bytes of L4",
                        FrameBuilder.ethernet().broadcast().src(HOST).ipv4("10.8.1.5", "10.8.1.6")
                                .protocol(Ipv4.PROTOCOL_UDP).firstFragment().payload(3).build(),
                        new Expected(Malformation.L4_TRUNCATED, BROADCAST, HOST, 0, 0x0800, 14)),
                row("unfragmented TCP with no L4 bytes",
                        FrameBuilder.ethernet().broadcast().src(HOST).ipv4("10.8.1.5", "10.8.1.6")
                                .protocol(Ipv4.PROTOCOL_TCP).build(),
                        new Expected(Malformation.L4_TRUNCATED, BROADCAST, HOST, 0, 0x0800, 14)),
                row("UDP whose total length ends inside the ports, padding behind",
                        withIpv4Byte(FrameBuilder.ethernet().broadcast().src(HOST).udp("10.8.1.5", "10.8.1.6", 1, 2)
                                .done().padTo(60).build(), 3, 23),
                        new Expected(Malformation.L4_TRUNCATED, BROADCAST, HOST, 0, 0x0800, 14)),
                row("ARP cut at 27 bytes, tagged", Arrays.copyOf(Hex.bytes(HexFrames.TAGGED_ARP_REQUEST), 18 + 27),
                        new Expected(Malformation.ARP_TRUNCATED, BROADCAST, HOST, 1, 0x0806, 18)),
                row("ARP with one byte", Hex.bytes("ffffffffffff 001122334455 0806 00"),
                        new Expected(Malformation.ARP_TRUNCATED, BROADCAST, HOST, 0, 0x0806, 14)),
                row("LLC with one byte", Hex.bytes("0180c2000000 001122334455 0026 42"),
                        new Expected(Malformation.LLC_TRUNCATED, BRIDGES, HOST, 0, FrameView.ETHERTYPE_8023, 14)),
                row("LLC with two bytes", Hex.bytes("0180c2000000 001122334455 0026 4242"),
                        new Expected(Malformation.LLC_TRUNCATED, BRIDGES, HOST, 0, FrameView.ETHERTYPE_8023, 14)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFrames")
    void reportsTheFaultAndKeepsWhatCameBefore(byte[] frame, int outerTpid, int outerTci, Expected e) {
        FrameView v = new FrameView().wrap(MemorySegment.ofArray(frame), 0, frame.length, outerTpid, outerTci);
        assertAll(
                () -> assertEquals(e.malformation(), v.malformation()),
                () -> assertTrue(v.malformed()),
                () -> assertEquals(Ethernet.formatMac(e.destinationMac()), Ethernet.formatMac(v.destinationMac()), "dst"),
                () -> assertEquals(Ethernet.formatMac(e.sourceMac()), Ethernet.formatMac(v.sourceMac()), "src"),
                () -> assertEquals(e.tagCount(), v.tagCount(), "tagCount"),
                () -> assertEquals(e.etherType(), v.etherType(), "etherType"),
                () -> assertEquals(e.l3Offset(), v.l3Offset(), "l3Offset"),
                () -> assertFalse(v.hasPorts(), "hasPorts"),
                () -> assertEquals(-1, v.sourcePort()),
                () -> assertEquals(-1, v.destinationPort()),
                () -> assertFalse(v.arp(), "arp"),
                () -> assertFalse(v.llc(), "llc"),
                () -> assertEquals(frame.length, v.length()));
    }

    @ParameterizedTest(name = "runt of {0} bytes")
    @MethodSource("runtLengths")
    void everyLengthBelowAMacHeaderIsARunt(int length) {
        FrameView v = decode(udp(length));
        assertEquals(Malformation.RUNT, v.malformation());
        assertEquals(0, v.destinationMac(), "no MAC from a partial header");
    }

    static Stream<Integer> runtLengths() {
        return Stream.iterate(1, n -> n <= 13, n -> n + 1);
    }

    static Stream<Arguments> boundaryFrames() {
        return Stream.of(
                Arguments.of(named("LLC with exactly DSAP, SSAP, control",
                        Hex.bytes("0180c2000000 001122334455 0003 424203"))),
                Arguments.of(named("ARP with exactly 28 bytes", Hex.bytes(HexFrames.TAGGED_ARP_REQUEST))),
                Arguments.of(named("IPv4 with exactly a 20-byte header and nothing else",
                        FrameBuilder.ethernet().ipv4("10.0.0.1", "10.0.0.2").build())),
                Arguments.of(named("ICMP with no L4 bytes",
                        FrameBuilder.ethernet().ipv4("10.0.0.1", "10.0.0.2").protocol(Ipv4.PROTOCOL_ICMP).build())),
                Arguments.of(named("UDP later fragment with no L4 bytes: it needs no ports",
                        FrameBuilder.ethernet().ipv4("10.0.0.1", "10.0.0.2").protocol(Ipv4.PROTOCOL_UDP)
                                .laterFragment(3, false).build())),
                Arguments.of(named("UDP with exactly four L4 bytes",
                        FrameBuilder.ethernet().ipv4("10.0.0.1", "10.0.0.2").protocol(Ipv4.PROTOCOL_UDP)
                                .payload(4).build())),
                Arguments.of(named("unknown EtherType with one byte", Hex.bytes("ffffffffffff 001122334455 88b5 00"))),
                Arguments.of(named("IPv6 EtherType with one byte: IPv6 is not decoded further",
                        Hex.bytes("333300000001 001122334455 86dd 60"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("boundaryFrames")
    void framesJustLongEnoughAreWellFormed(byte[] frame) {
        FrameView v = decode(frame);
        assertEquals(Malformation.NONE, v.malformation());
        assertFalse(v.malformed());
    }

    @Test
    void badIpv4HeaderKeepsMacsAndTagsButNoIpv4Fields() {
        byte[] f = Hex.bytes(HexFrames.QINQ_TCP_WITH_ROUTER_ALERT);
        f[22] = 0x44; // IHL 4
        FrameView v = new FrameView().wrap(MemorySegment.ofArray(f), 0, f.length, 0x8100, 0x0007);
        assertAll(
                () -> assertEquals(Malformation.IPV4_IHL_TOO_SMALL, v.malformation()),
                () -> assertEquals(0x00005e005301L, v.destinationMac()),
                () -> assertEquals(0x020000000001L, v.sourceMac()),
                () -> assertEquals(3, v.tagCount()),
                () -> assertEquals(7, v.vlanId()),
                () -> assertEquals(0x88a8, v.tagTpid(1)),
                () -> assertEquals(10, v.innerVlanId()),
                () -> assertEquals(Ethernet.ETHERTYPE_IPV4, v.etherType()),
                () -> assertEquals(22, v.l3Offset()),
                () -> assertFalse(v.ipv4()),
                () -> assertFalse(v.tcp()),
                () -> assertFalse(v.fragment()),
                () -> assertEquals(-1, v.ipProtocol()),
                () -> assertEquals(0, v.ipv4Source()),
                () -> assertEquals(0, v.ipv4Destination()),
                () -> assertEquals(0, v.ipv4HeaderLength()),
                () -> assertEquals(0, v.l4Offset()),
                () -> assertNull(v.ipv4DestinationClass(Ipv4Subnets.NONE)));
    }

    @Test
    void truncatedL4KeepsTheWholeIpv4Header() {
        byte[] f = FrameBuilder.ethernet().ipv4("10.8.1.5", "10.8.255.255").protocol(Ipv4.PROTOCOL_UDP).firstFragment()
                .payload(3).build();
        FrameView v = decode(f);
        assertAll(
                () -> assertEquals(Malformation.L4_TRUNCATED, v.malformation()),
                () -> assertTrue(v.ipv4()),
                () -> assertTrue(v.udp()),
                () -> assertTrue(v.firstFragment()),
                () -> assertEquals("10.8.1.5", Ipv4.format(v.ipv4Source())),
                () -> assertEquals("10.8.255.255", Ipv4.format(v.ipv4Destination())),
                () -> assertEquals(23, v.ipv4TotalLength()),
                () -> assertEquals(34, v.l4Offset()),
                () -> assertFalse(v.hasPorts()),
                () -> assertEquals(-1, v.destinationPort()));
    }

    @ParameterizedTest
    @EnumSource(Malformation.class)
    void labelsAreTheLowerCaseNames(Malformation m) {
        assertEquals(m.name().toLowerCase(Locale.ROOT), m.label());
    }

    private static Arguments row(String name, byte[] frame, Expected e) {
        return rowOob(name, frame, 0, 0, e);
    }

    private static Arguments rowOob(String name, byte[] frame, int tpid, int tci, Expected e) {
        return Arguments.of(named(name, frame), tpid, tci, e);
    }

    /** The first {@code n} bytes of an untagged UDP broadcast (46 bytes, IPv4 at 14). */
    private static byte[] udp(int n) {
        return Arrays.copyOf(Hex.bytes(HexFrames.UNTAGGED_NETBIOS_NAME_BROADCAST), n);
    }

    private static byte[] withIpv4Byte(int at, int value) {
        return withIpv4Byte(udp(46), at, value);
    }

    private static byte[] withIpv4Byte(byte[] frame, int at, int value) {
        frame[14 + at] = (byte) value;
        return frame;
    }

    private static FrameView decode(byte[] f) {
        return new FrameView().wrap(MemorySegment.ofArray(f), 0, f.length);
    }
}
