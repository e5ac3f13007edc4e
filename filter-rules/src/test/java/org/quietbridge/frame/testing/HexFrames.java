package org.quietbridge.frame.testing;

/**
 * Frames written out byte by byte, with independently computed checksums. Decoder tests
 * read them through {@link Hex#bytes}; {@code FrameBuilderTest} checks that
 * {@link FrameBuilder} produces the same bytes, so neither can hide a bug of the other.
 */
public final class HexFrames {
    private HexFrames() {
    }

    /** NetBIOS name service to the directed broadcast of 10.8.0.0/16, untagged. */
    public static final String UNTAGGED_NETBIOS_NAME_BROADCAST = """
            ffffffffffff 001122334455       # dst broadcast, src
            0800                            # IPv4
            4500 0020 1234 0000 4011 5385   # IHL 5, total 32, id, no flags, TTL 64, UDP, checksum
            0a080105 0a08ffff               # 10.8.1.5 -> 10.8.255.255
            0089 0089 000c e7ab             # UDP 137 -> 137, length 12, checksum
            00010203                        # data
            """;

    /** SMB over QinQ with an IP option (IHL 6), so the ports sit 24 bytes into IPv4. */
    public static final String QINQ_TCP_WITH_ROUTER_ALERT = """
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

    /** The largest IPv4 header (IHL 15): 39 NOPs and an end-of-list, then UDP 138. */
    public static final String IHL_15_NETBIOS_DATAGRAM = """
            ffffffffffff 001122334455       # dst broadcast, src
            0800                            # IPv4
            4f00 0046 1234 0000 4011 ef44   # IHL 15, total 70, UDP
            0a0e2301 0a0e23ff               # 10.14.35.1 -> 10.14.35.255
            0101010101010101010101010101010101010101    # options: NOP x 20
            0101010101010101010101010101010101010100    # NOP x 19, end of list
            008a 008a 000a f8ee             # UDP 138 -> 138, length 10, checksum
            aabb                            # data
            """;

    /** First fragment of an mDNS datagram: MF set, offset 0, so the UDP header is here. */
    public static final String FIRST_FRAGMENT_MDNS = """
            01005e0000fb 001122334455       # dst 224.0.0.251's MAC, src
            0800                            # IPv4
            4500 0024 1234 2000 4011 5c8d   # total 36, MF, offset 0, UDP
            0a080105 e00000fb               # 10.8.1.5 -> 224.0.0.251
            14e9 14e9 0010 0000             # UDP 5353 -> 5353, length 16, no checksum
            0001020304050607                # first 8 data bytes
            """;

    /**
     * A later fragment (MF, offset 185 x 8 = 1480). Its first bytes look like ports but are
     * data: only the first fragment carries the UDP header.
     */
    public static final String LATER_FRAGMENT_MDNS = """
            01005e0000fb 001122334455       # dst, src
            0800                            # IPv4
            4500 001c 1234 20b9 4011 5bdc   # total 28, MF, offset 185, UDP
            0a080105 e00000fb               # 10.8.1.5 -> 224.0.0.251
            14e914e9 00000000               # data, not a header
            """;

    /** A 28-byte IPv4/UDP packet padded with zeros to the 60-byte Ethernet minimum. */
    public static final String PADDED_SHORT_UDP = """
            001122334466 001122334455 0800  # dst, src, IPv4
            4500 001c 1234 0000 4011 5283   # total 28, UDP
            0a080105 0a080106               # 10.8.1.5 -> 10.8.1.6
            0089 0089 0008 e8b1             # UDP 137 -> 137, length 8, checksum
            000000000000000000000000000000000000    # Ethernet padding, 18 bytes
            """;

    /** ARP who-has 10.8.1.1 tell 10.8.1.5, tagged. */
    public static final String TAGGED_ARP_REQUEST = """
            ffffffffffff 001122334455       # dst broadcast, src
            8100 b064                       # 802.1Q, PCP 5, DEI, VID 100
            0806                            # ARP
            0001 0800 06 04 0001            # Ethernet, IPv4, hlen 6, plen 4, request
            001122334455 0a080105           # sender 00:11:22:33:44:55 10.8.1.5
            000000000000 0a080101           # target ? 10.8.1.1
            """;

    /** An STP configuration BPDU, padded to 60 bytes. */
    public static final String STP_CONFIGURATION_BPDU = """
            0180c2000000 001122334455       # dst: bridge group address, src
            0026                            # 802.3 length 38
            42 42 03                        # LLC DSAP, SSAP (spanning tree), UI
            0000 00 00 00                   # protocol id, version, configuration BPDU, flags
            8000001122334455 00000000       # root id, root path cost
            8000001122334455 8001           # bridge id, port id
            0000 1400 0200 0f00             # message age, max age 20 s, hello 2 s, forward delay 15 s
            0000000000000000                # padding to 60 bytes
            """;
}
