package org.quietbridge.cli;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.quietbridge.capture.PcapWriter;
import org.quietbridge.capture.testing.PcapngBuilder;
import org.quietbridge.frame.testing.FrameBuilder;

/**
 * A capture of a wireless segment shaped like Princeton OIT's figures, with known counts:
 *
 * <ul>
 *   <li>23 NetBIOS broadcasts (13 name service to 255.255.255.255, 10 datagram to 10.8.255.255);</li>
 *   <li>25 ARP broadcast requests;</li>
 *   <li>52 other broadcast/multicast that must keep working: 10 DHCP discovers (broadcast),
 *       15 mDNS, 12 SSDP, 3 WS-Discovery, 6 LLMNR, 6 IPv6 neighbour solicitations (multicast);</li>
 *   <li>40 unicast: 5 NetBIOS name queries to a WINS server, 30 SMB over TCP, 5 ARP replies.</li>
 * </ul>
 *
 * 140 frames; 100 broadcast/multicast (58 broadcast, 42 multicast); NetBIOS 23.0% of them and
 * ARP 25.0%.
 */
final class CampusCapture {
    static final int NETBIOS_BROADCAST = 23;
    static final int ARP_BROADCAST = 25;
    static final int OTHER_GROUP = 52;
    static final int UNICAST = 40;
    static final int FRAMES = NETBIOS_BROADCAST + ARP_BROADCAST + OTHER_GROUP + UNICAST;

    private static final String CLIENT_MAC = "3c:22:fb:00:00:01";
    private static final String SERVER_MAC = "00:1b:21:00:00:0a";

    private CampusCapture() {
    }

    static List<byte[]> frames() {
        List<byte[]> f = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            f.add(FrameBuilder.ethernet().src(CLIENT_MAC).broadcast()
                    .udp("10.8.1." + (10 + i), "255.255.255.255", 137, 137).payload(50).build());
        }
        for (int i = 0; i < 10; i++) {
            f.add(FrameBuilder.ethernet().src(CLIENT_MAC).broadcast()
                    .udp("10.8.1." + (10 + i), "10.8.255.255", 138, 138).payload(200).build());
        }
        for (int i = 0; i < ARP_BROADCAST; i++) {
            f.add(FrameBuilder.ethernet().src(CLIENT_MAC).broadcast()
                    .arp(1, 0x3c22_fb00_0001L, "10.8.1.10", 0, "10.8.2." + i).padTo(60).build());
        }
        for (int i = 0; i < 10; i++) {
            f.add(FrameBuilder.ethernet().src(CLIENT_MAC).broadcast()
                    .udp("0.0.0.0", "255.255.255.255", 68, 67).payload(300).build());
        }
        addMulticast(f, 15, "01:00:5e:00:00:fb", "224.0.0.251", 5353);
        addMulticast(f, 12, "01:00:5e:7f:ff:fa", "239.255.255.250", 1900);
        addMulticast(f, 3, "01:00:5e:7f:ff:fa", "239.255.255.250", 3702);
        addMulticast(f, 6, "01:00:5e:00:00:fc", "224.0.0.252", 5355);
        for (int i = 0; i < 6; i++) {
            byte[] source = new byte[16];
            source[0] = (byte) 0xfe;
            source[1] = (byte) 0x80;
            source[15] = 1;
            byte[] solicited = new byte[16];
            solicited[0] = (byte) 0xff;
            solicited[1] = 2;
            solicited[11] = 1;
            solicited[12] = (byte) 0xff;
            solicited[15] = (byte) i;
            f.add(FrameBuilder.ethernet().src(CLIENT_MAC).dst("33:33:ff:00:00:0" + i)
                    .ipv6(58, source, solicited, new byte[24]).build());
        }
        for (int i = 0; i < 5; i++) {
            f.add(FrameBuilder.ethernet().src(CLIENT_MAC).dst(SERVER_MAC)
                    .udp("10.8.1.10", "10.8.0.10", 137, 137).payload(50).build());
        }
        for (int i = 0; i < 30; i++) {
            f.add(FrameBuilder.ethernet().src(CLIENT_MAC).dst(SERVER_MAC)
                    .tcp("10.8.1.10", "10.8.0.20", 50000 + i, 445).payload(100).build());
        }
        for (int i = 0; i < 5; i++) {
            f.add(FrameBuilder.ethernet().src(SERVER_MAC).dst(CLIENT_MAC)
                    .arp(2, 0x001b_2100_000aL, "10.8.0.10", 0x3c22_fb00_0001L, "10.8.1.10").padTo(60).build());
        }
        if (f.size() != FRAMES) {
            throw new AssertionError("fixture has " + f.size() + " frames");
        }
        return f;
    }

    private static void addMulticast(List<byte[]> f, int n, String mac, String group, int port) {
        for (int i = 0; i < n; i++) {
            f.add(FrameBuilder.ethernet().src(CLIENT_MAC).dst(mac).udp("10.8.1.10", group, port, port)
                    .payload(120).build());
        }
    }

    /** Writes {@code frames} as a classic pcap, one millisecond apart. */
    static Path writePcap(Path file, List<byte[]> frames) throws IOException {
        try (PcapWriter writer = PcapWriter.create(file)) {
            long t = 1_700_000_000_000_000_000L;
            for (byte[] frame : frames) {
                writer.write(frame, t);
                t += 1_000_000;
            }
        }
        return file;
    }

    /** Writes {@code frames} as pcapng, alternating between two Ethernet interfaces. */
    static Path writePcapng(Path file, List<byte[]> frames) throws IOException {
        PcapngBuilder b = new PcapngBuilder().section(ByteOrder.BIG_ENDIAN)
                .interfaceDescription(1, 262144).interfaceDescription(1, 262144);
        long t = 1_700_000_000_000_000L;
        for (int i = 0; i < frames.size(); i++) {
            b.enhancedPacket(i % 2, t + i * 1000L, frames.get(i));
        }
        Files.write(file, b.bytes());
        return file;
    }
}
