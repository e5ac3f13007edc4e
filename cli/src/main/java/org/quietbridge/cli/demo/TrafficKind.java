package org.quietbridge.cli.demo;

import java.util.Optional;

import org.quietbridge.lab.Lab;

/**
 * The kinds of frame the demo sends from the client host and looks for on the server host, each
 * with what quietbridge must do with it (docs/ARCHITECTURE.md, "What the NetBIOS filter must match"):
 * drop NetBIOS (UDP 137 and 138) to a broadcast or multicast destination; forward unicast
 * NetBIOS, ARP, DHCP, mDNS, LLMNR and SSDP. The addresses are the lab's, which {@link Lab}
 * fixes: the core host is 10.77.0.20 in 10.77.0.0/24.
 */
enum TrafficKind {
    ARP_REQUEST("ARP request (before the ping)", "ff:ff:ff:ff:ff:ff", true),
    NETBIOS_NAME_BROADCAST("NetBIOS name query, broadcast", Lab.IPV4_BROADCAST + ":137", false),
    NETBIOS_NAME_UNICAST("NetBIOS name query, unicast", "10.77.0.20:137", true),
    NETBIOS_DATAGRAM_BROADCAST("NetBIOS datagram, broadcast", Lab.IPV4_BROADCAST + ":138", false),
    MDNS("mDNS", "224.0.0.251:5353", true),
    LLMNR("LLMNR", "224.0.0.252:5355", true),
    SSDP("SSDP", "239.255.255.250:1900", true),
    DHCP("DHCP discover", "255.255.255.255:67", true);

    private final String label;
    private final String destination;
    private final boolean mustPass;

    TrafficKind(String label, String destination, boolean mustPass) {
        this.label = label;
        this.destination = destination;
        this.mustPass = mustPass;
    }

    String label() {
        return label;
    }

    /** Where it goes, as the report shows it. */
    String destination() {
        return destination;
    }

    /** Whether quietbridge must forward it; otherwise it must drop it. */
    boolean mustPass() {
        return mustPass;
    }

    /** The kind of an ARP frame: only a broadcast request counts (a unicast probe is no broadcast). */
    static Optional<TrafficKind> ofArp(String destinationMac, boolean request) {
        return request && destinationMac.equals("ff:ff:ff:ff:ff:ff") ? Optional.of(ARP_REQUEST) : Optional.empty();
    }

    /** The kind of an IPv4 UDP frame, if it is one the demo sends. */
    static Optional<TrafficKind> ofUdp(String destinationMac, String destinationIp, int destinationPort) {
        boolean group = isGroupMac(destinationMac) || isGroupIpv4(destinationIp);
        return Optional.ofNullable(switch (destinationPort) {
            case 137 -> group ? NETBIOS_NAME_BROADCAST : NETBIOS_NAME_UNICAST;
            case 138 -> group ? NETBIOS_DATAGRAM_BROADCAST : null;
            case 5353 -> destinationIp.equals("224.0.0.251") ? MDNS : null;
            case 5355 -> destinationIp.equals("224.0.0.252") ? LLMNR : null;
            case 1900 -> destinationIp.equals("239.255.255.250") ? SSDP : null;
            case 67 -> destinationIp.equals("255.255.255.255") ? DHCP : null;
            default -> null;
        });
    }

    /** The I/G bit, the least significant bit of the first octet (IEEE 802): broadcast or multicast. */
    private static boolean isGroupMac(String mac) {
        return mac.length() >= 2 && (Integer.parseInt(mac.substring(0, 2), 16) & 1) == 1;
    }

    /** 224.0.0.0/4, 255.255.255.255 and an all-ones last octet (the lab is a /24). */
    private static boolean isGroupIpv4(String ip) {
        int firstOctet = Integer.parseInt(ip.substring(0, ip.indexOf('.')));
        return (firstOctet >= 224 && firstOctet <= 239) || ip.endsWith(".255");
    }
}
