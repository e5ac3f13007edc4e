package org.quietbridge.frame;

import java.util.Arrays;
import java.util.List;

import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.frame.testing.Hex;
import org.quietbridge.frame.testing.HexFrames;

/**
 * One frame of every kind the decoder tells apart, well formed and malformed, each with the
 * out-of-band tag it arrives with. Used where a test needs "all of them": re-wrapping,
 * offsets, the allocation check, seeds for the fuzz test.
 */
final class SampleFrames {
    private SampleFrames() {
    }

    /** A frame and the tag the kernel reported beside it (TPID 0: none). */
    record Sample(String name, byte[] bytes, int outerTpid, int outerTci) {
        Sample {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Sample> ALL = List.of(
            new Sample("UDP broadcast (hex)", Hex.bytes(HexFrames.UNTAGGED_NETBIOS_NAME_BROADCAST), 0, 0),
            new Sample("QinQ TCP with IHL 6 (hex)", Hex.bytes(HexFrames.QINQ_TCP_WITH_ROUTER_ALERT), 0, 0),
            new Sample("IHL 15 UDP (hex)", Hex.bytes(HexFrames.IHL_15_NETBIOS_DATAGRAM), 0, 0),
            new Sample("first fragment (hex)", Hex.bytes(HexFrames.FIRST_FRAGMENT_MDNS), 0, 0),
            new Sample("later fragment (hex)", Hex.bytes(HexFrames.LATER_FRAGMENT_MDNS), 0, 0),
            new Sample("padded short UDP (hex)", Hex.bytes(HexFrames.PADDED_SHORT_UDP), 0, 0),
            new Sample("tagged ARP request (hex)", Hex.bytes(HexFrames.TAGGED_ARP_REQUEST), 0, 0),
            new Sample("STP BPDU (hex)", Hex.bytes(HexFrames.STP_CONFIGURATION_BPDU), 0, 0),
            new Sample("out-of-band tag, QinQ, UDP 137",
                    FrameBuilder.ethernet().broadcast().vlan(Ethernet.TPID_8021AD, 30).vlan(Ethernet.TPID_8021Q, 40)
                            .udp("10.8.1.5", "10.8.255.255", 137, 137).payload(50).build(),
                    Ethernet.TPID_8021Q, VlanTag.tci(5, true, 20)),
            new Sample("out-of-band tag, ARP reply",
                    FrameBuilder.ethernet().arp(Arp.OPERATION_REPLY, 0x00aabbccddeeL, "10.8.1.1", 0x001122334455L,
                            "10.8.1.5").padTo(60).build(),
                    Ethernet.TPID_8021Q, 100),
            new Sample("NLB gratuitous ARP",
                    FrameBuilder.ethernet().src("02:01:0a:0e:23:f7").nlbGratuitousArp("10.14.35.247").padTo(60).build(),
                    0, 0),
            new Sample("IPv6 to all nodes",
                    FrameBuilder.ethernet().dst("33:33:00:00:00:01").ipv6(58, new byte[16], new byte[16], new byte[8])
                            .build(),
                    0, 0),
            new Sample("ICMP to 224.0.0.1",
                    FrameBuilder.ethernet().dst("01:00:5e:00:00:01").ipv4("10.8.1.5", "224.0.0.1")
                            .protocol(Ipv4.PROTOCOL_ICMP).payload(8).done().padTo(60).build(),
                    0, 0),
            new Sample("TCP later fragment",
                    FrameBuilder.ethernet().tcp("10.8.1.5", "10.8.1.6", 1, 2).laterFragment(8, false).payload(30)
                            .build(),
                    0, 0),
            new Sample("unknown EtherType", Hex.bytes("00005e005301 001122334455 88b5 0102030405"), 0, 0),
            new Sample("empty", new byte[0], 0, 0),
            new Sample("runt", Hex.bytes("ffffffffffff 0011"), 0, 0),
            new Sample("header only", Hex.bytes("ffffffffffff 001122334455 0800"), 0, 0),
            new Sample("VLAN tag cut", Hex.bytes("ffffffffffff 001122334455 8100 0064"), Ethernet.TPID_8021AD, 3),
            new Sample("IHL 4", withByte(Hex.bytes(HexFrames.UNTAGGED_NETBIOS_NAME_BROADCAST), 14, 0x44), 0, 0),
            new Sample("total length too large",
                    withByte(Hex.bytes(HexFrames.UNTAGGED_NETBIOS_NAME_BROADCAST), 17, 0xff), 0, 0),
            new Sample("UDP with 3 bytes of L4",
                    FrameBuilder.ethernet().ipv4("10.0.0.1", "10.0.0.2").protocol(Ipv4.PROTOCOL_UDP).payload(3).build(),
                    0, 0),
            new Sample("ARP cut", Arrays.copyOf(Hex.bytes(HexFrames.TAGGED_ARP_REQUEST), 40), 0, 0),
            new Sample("LLC cut", Hex.bytes("0180c2000000 001122334455 0026 42"), 0, 0));

    private static byte[] withByte(byte[] frame, int at, int value) {
        frame[at] = (byte) value;
        return frame;
    }
}
