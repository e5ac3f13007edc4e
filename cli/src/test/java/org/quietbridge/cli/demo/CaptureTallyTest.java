package org.quietbridge.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Lines as tcpdump -n -e -q -t -l printed them in the lab. */
class CaptureTallyTest {
    private static final String AP = "02:77:00:00:00:10";
    private static final String CORE = "02:77:00:00:00:20";

    @Test
    void classifiesEveryKindTheDemoSends() {
        assertEquals(Optional.of(TrafficKind.ARP_REQUEST), kind(AP + " > ff:ff:ff:ff:ff:ff, ARP, length 42:"
                + " Request who-has 10.77.0.20 tell 10.77.0.10, length 28"));
        assertEquals(Optional.of(TrafficKind.NETBIOS_NAME_BROADCAST), kind(AP + " > ff:ff:ff:ff:ff:ff, IPv4, length 92:"
                + " 10.77.0.10.46366 > 10.77.0.255.137: UDP, length 50"));
        assertEquals(Optional.of(TrafficKind.NETBIOS_NAME_UNICAST), kind(AP + " > 02:77:00:00:00:20, IPv4, length 92:"
                + " 10.77.0.10.57944 > 10.77.0.20.137: UDP, length 50"));
        assertEquals(Optional.of(TrafficKind.NETBIOS_DATAGRAM_BROADCAST), kind(AP + " > ff:ff:ff:ff:ff:ff, IPv4,"
                + " length 62: 10.77.0.10.138 > 10.77.0.255.138: UDP, length 20"));
        assertEquals(Optional.of(TrafficKind.MDNS), kind(AP + " > 01:00:5e:00:00:fb, IPv4, length 62:"
                + " 10.77.0.10.5353 > 224.0.0.251.5353: UDP, length 20"));
        assertEquals(Optional.of(TrafficKind.LLMNR), kind(AP + " > 01:00:5e:00:00:fc, IPv4, length 62:"
                + " 10.77.0.10.49152 > 224.0.0.252.5355: UDP, length 20"));
        assertEquals(Optional.of(TrafficKind.SSDP), kind(AP + " > 01:00:5e:7f:ff:fa, IPv4, length 62:"
                + " 10.77.0.10.49153 > 239.255.255.250.1900: UDP, length 20"));
        assertEquals(Optional.of(TrafficKind.DHCP), kind(AP + " > ff:ff:ff:ff:ff:ff, IPv4, length 62:"
                + " 0.0.0.0.68 > 255.255.255.255.67: UDP, length 20"));
    }

    @Test
    void countsANetbiosQueryToAGroupMacAsBroadcastWhateverItsAddress() {
        // A "confused client": a unicast IPv4 address inside a broadcast frame.
        assertEquals(Optional.of(TrafficKind.NETBIOS_NAME_BROADCAST), kind(AP + " > ff:ff:ff:ff:ff:ff, IPv4, length 92:"
                + " 10.77.0.10.137 > 10.77.0.20.137: UDP, length 50"));
    }

    @Test
    void ignoresArpRepliesUnicastProbesTcpAndTcpdumpsOwnLines() {
        assertEquals(Optional.empty(), kind(AP + " > 02:77:00:00:00:20, ARP, length 42: Reply 10.77.0.10 is-at "
                + AP + ", length 28"));
        assertEquals(Optional.empty(), kind(AP + " > 02:77:00:00:00:20, ARP, length 42:"
                + " Request who-has 10.77.0.20 tell 10.77.0.10, length 28"));
        assertEquals(Optional.empty(), kind(AP + " > 02:77:00:00:00:20, IPv4, length 66:"
                + " 10.77.0.10.47582 > 10.77.0.20.5201: tcp 0"));
        assertEquals(Optional.empty(), kind("listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes"));
        assertEquals(Optional.empty(), kind("12 packets captured"));
    }

    @Test
    void countsOnlyTheFramesOfOneSource() {
        List<String> capture = List.of(
                AP + " > ff:ff:ff:ff:ff:ff, IPv4, length 62: 10.77.0.10.138 > 10.77.0.255.138: UDP, length 20",
                AP + " > ff:ff:ff:ff:ff:ff, IPv4, length 62: 10.77.0.10.138 > 10.77.0.255.138: UDP, length 20",
                CORE + " > ff:ff:ff:ff:ff:ff, IPv4, length 62: 10.77.0.20.138 > 10.77.0.255.138: UDP, length 20");

        assertEquals(2, CaptureTally.of(capture, AP).count(TrafficKind.NETBIOS_DATAGRAM_BROADCAST));
        assertEquals(1, CaptureTally.of(capture, CORE).count(TrafficKind.NETBIOS_DATAGRAM_BROADCAST));
        assertEquals(0, CaptureTally.of(capture, AP).count(TrafficKind.MDNS));
    }

    private static Optional<TrafficKind> kind(String line) {
        return CaptureTally.kindOf(line, AP);
    }
}
