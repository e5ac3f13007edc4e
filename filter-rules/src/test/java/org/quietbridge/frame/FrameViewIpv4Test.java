package org.quietbridge.frame;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
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

/** IPv4 (RFC 791): header length and options, fragments, and the UDP/TCP ports behind them. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FrameViewIpv4Test {

    /** What the decoder must report for one well-formed IPv4 frame. Ports are -1 when absent. */
    record Expected(int l3Offset, int headerLength, int totalLength, int protocol, String source,
            String destination, boolean fragment, boolean firstFragment, boolean nonFirstFragment,
            int sourcePort, int destinationPort) {

        static Expected udp(int l3Offset, int headerLength, int totalLength, String src, String dst, int sport,
                int dport) {
            return new Expected(l3Offset, headerLength, totalLength, Ipv4.PROTOCOL_UDP, src, dst, false, false, false,
                    sport, dport);
        }

        Expected fragment(boolean first, boolean nonFirst) {
            return new Expected(l3Offset, headerLength, totalLength, protocol, source, destination, true, first,
                    nonFirst, sourcePort, destinationPort);
        }

        boolean hasPorts() {
            return sourcePort >= 0;
        }
    }

    static Stream<Arguments> ipv4Frames() {
        return Stream.of(
                Arguments.of(named("plain UDP, IHL 5 (hex)", Hex.bytes(HexFrames.UNTAGGED_NETBIOS_NAME_BROADCAST)),
                        Expected.udp(14, 20, 32, "10.8.1.5", "10.8.255.255", 137, 137)),
                Arguments.of(named("TCP with IHL 6: ports read after the option, inside QinQ (hex)",
                        Hex.bytes(HexFrames.QINQ_TCP_WITH_ROUTER_ALERT)),
                        new Expected(22, 24, 44, Ipv4.PROTOCOL_TCP, "192.168.7.20", "192.168.7.1", false, false, false,
                                49152, 445)),
                Arguments.of(named("UDP with IHL 15: ports read after 40 bytes of options (hex)",
                        Hex.bytes(HexFrames.IHL_15_NETBIOS_DATAGRAM)),
                        Expected.udp(14, 60, 70, "10.14.35.1", "10.14.35.255", 138, 138)),
                Arguments.of(named("first fragment: MF, offset 0, carries the ports (hex)",
                        Hex.bytes(HexFrames.FIRST_FRAGMENT_MDNS)),
                        Expected.udp(14, 20, 36, "10.8.1.5", "224.0.0.251", 5353, 5353).fragment(true, false)),
                Arguments.of(named("later fragment: MF, offset 1480, no ports (hex)",
                        Hex.bytes(HexFrames.LATER_FRAGMENT_MDNS)),
                        Expected.udp(14, 20, 28, "10.8.1.5", "224.0.0.251", -1, -1).fragment(false, true)),
                Arguments.of(named("last fragment: no MF, offset 2960, no ports",
                        FrameBuilder.ethernet().udp("10.8.1.5", "10.8.1.6", 137, 137).laterFragment(370, false)
                                .payload(16).build()),
                        Expected.udp(14, 20, 36, "10.8.1.5", "10.8.1.6", -1, -1).fragment(false, true)),
                Arguments.of(named("DF alone is not a fragment",
                        withByte(Hex.bytes(HexFrames.UNTAGGED_NETBIOS_NAME_BROADCAST), 14 + 6, 0x40)),
                        Expected.udp(14, 20, 32, "10.8.1.5", "10.8.255.255", 137, 137)),
                Arguments.of(named("reserved flag bit alone is not a fragment",
                        withByte(Hex.bytes(HexFrames.UNTAGGED_NETBIOS_NAME_BROADCAST), 14 + 6, 0x80)),
                        Expected.udp(14, 20, 32, "10.8.1.5", "10.8.255.255", 137, 137)),
                Arguments.of(named("TCP, IHL 5",
                        FrameBuilder.ethernet().tcp("10.8.1.5", "10.8.1.9", 1025, 139).payload(3).build()),
                        new Expected(14, 20, 43, Ipv4.PROTOCOL_TCP, "10.8.1.5", "10.8.1.9", false, false, false,
                                1025, 139)),
                Arguments.of(named("TCP later fragment: no ports",
                        FrameBuilder.ethernet().tcp("10.8.1.5", "10.8.1.9", 1025, 139).laterFragment(1, true)
                                .payload(8).build()),
                        new Expected(14, 20, 28, Ipv4.PROTOCOL_TCP, "10.8.1.5", "10.8.1.9", true, false, true,
                                -1, -1)),
                Arguments.of(named("UDP with exactly the four port bytes of L4",
                        FrameBuilder.ethernet().ipv4("10.8.1.5", "10.8.1.6").protocol(Ipv4.PROTOCOL_UDP)
                                .payload(Hex.bytes("0089 0035")).build()),
                        Expected.udp(14, 20, 24, "10.8.1.5", "10.8.1.6", 137, 53)),
                Arguments.of(named("ICMP echo: no ports",
                        FrameBuilder.ethernet().ipv4("10.8.1.5", "10.8.1.6").protocol(Ipv4.PROTOCOL_ICMP)
                                .payload(Hex.bytes("0800 f7fc 0001 0002")).build()),
                        new Expected(14, 20, 28, Ipv4.PROTOCOL_ICMP, "10.8.1.5", "10.8.1.6", false, false, false,
                                -1, -1)),
                Arguments.of(named("GRE with port-like bytes: no ports",
                        FrameBuilder.ethernet().ipv4("10.8.1.5", "10.8.1.6").protocol(47)
                                .payload(Hex.bytes("0089 0089 0000 0000")).build()),
                        new Expected(14, 20, 28, 47, "10.8.1.5", "10.8.1.6", false, false, false, -1, -1)),
                Arguments.of(named("short packet in a frame padded to 60 bytes (hex)",
                        Hex.bytes(HexFrames.PADDED_SHORT_UDP)),
                        Expected.udp(14, 20, 28, "10.8.1.5", "10.8.1.6", 137, 137)),
                Arguments.of(named("UDP behind one 802.1Q tag",
                        FrameBuilder.ethernet().vlan(Ethernet.TPID_8021Q, 10).udp("10.0.0.1", "10.0.0.2", 68, 67)
                                .payload(1).done().padTo(64).build()),
                        Expected.udp(18, 20, 29, "10.0.0.1", "10.0.0.2", 68, 67)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ipv4Frames")
    void decodesIpv4AndPorts(byte[] frame, Expected e) {
        FrameView v = decode(frame);
        assertAll(
                () -> assertEquals(Malformation.NONE, v.malformation()),
                () -> assertEquals(Ethernet.ETHERTYPE_IPV4, v.etherType()),
                () -> assertTrue(v.ipv4(), "ipv4"),
                () -> assertEquals(e.l3Offset(), v.l3Offset(), "l3Offset"),
                () -> assertEquals(e.headerLength(), v.ipv4HeaderLength(), "header length"),
                () -> assertEquals(e.totalLength(), v.ipv4TotalLength(), "total length"),
                () -> assertEquals(e.protocol(), v.ipProtocol(), "protocol"),
                () -> assertEquals(e.protocol() == Ipv4.PROTOCOL_UDP, v.udp(), "udp"),
                () -> assertEquals(e.protocol() == Ipv4.PROTOCOL_TCP, v.tcp(), "tcp"),
                () -> assertEquals(e.source(), Ipv4.format(v.ipv4Source()), "source"),
                () -> assertEquals(e.destination(), Ipv4.format(v.ipv4Destination()), "destination"),
                () -> assertEquals(e.fragment(), v.fragment(), "fragment"),
                () -> assertEquals(e.firstFragment(), v.firstFragment(), "firstFragment"),
                () -> assertEquals(e.nonFirstFragment(), v.nonFirstFragment(), "nonFirstFragment"),
                () -> assertEquals(e.hasPorts(), v.hasPorts(), "hasPorts"),
                () -> assertEquals(e.l3Offset() + e.headerLength(), v.l4Offset(), "l4Offset"),
                () -> assertEquals(e.sourcePort(), v.sourcePort(), "source port"),
                () -> assertEquals(e.destinationPort(), v.destinationPort(), "destination port"),
                () -> assertEquals(frame.length, v.length(), "length"));
    }

    @Test
    void readsPortsWithinTotalLengthNotFromThePadding() {
        // Total length 20 + 4: the ports are the last bytes of the packet, the padding after
        // them is non-zero so a read past the packet would show.
        byte[] f = FrameBuilder.ethernet().ipv4("10.8.1.5", "10.8.1.6").protocol(Ipv4.PROTOCOL_UDP)
                .payload(Hex.bytes("0089 0035")).build();
        byte[] padded = new byte[60];
        Arrays.fill(padded, (byte) 0xee);
        System.arraycopy(f, 0, padded, 0, f.length);
        FrameView v = decode(padded);
        assertEquals(Malformation.NONE, v.malformation());
        assertEquals(24, v.ipv4TotalLength());
        assertEquals(137, v.sourcePort());
        assertEquals(53, v.destinationPort());
    }

    private static byte[] withByte(byte[] frame, int at, int value) {
        frame[at] = (byte) value;
        return frame;
    }

    private static FrameView decode(byte[] f) {
        return new FrameView().wrap(MemorySegment.ofArray(f), 0, f.length);
    }
}
