package org.quietbridge.cli.demo;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broadcast and multicast frames one client received, counted by kind and by the side they came from,
 * from the lines of {@code tcpdump -n -e -q -t} (for example
 * {@code 02:77:0d:00:00:01 > ff:ff:ff:ff:ff:ff, IPv4, length 92: 10.77.0.11.137 > 10.77.0.255.137: UDP, length 50}).
 * Lines that are not a frame ("listening on", the closing statistics) are not counted.
 *
 * @param counts   frames per kind
 * @param fromPeer frames sent by a host on the client's own side: they never reach the bridge
 */
public record CampusTally(Map<Kind, Integer> counts, int fromPeer) {
    private static final Pattern FRAME = Pattern.compile("^((?:[0-9a-f]{2}:){5}[0-9a-f]{2}) > ");
    private static final Pattern UDP_PORTS = Pattern.compile("\\.(\\d+) > [0-9.]+\\.(\\d+): UDP");

    /** What a frame carried. */
    public enum Kind {
        NETBIOS("NetBIOS"), ARP("ARP"), DHCP("DHCP"), MDNS("mDNS"), OTHER("other");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public CampusTally {
        counts = Map.copyOf(counts);
    }

    /**
     * Counts the frames in {@code lines}.
     *
     * @param peer whether a source MAC belongs to a host on the capturing client's own side
     */
    public static CampusTally of(List<String> lines, Predicate<String> peer) {
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            counts.put(kind, 0);
        }
        int fromPeer = 0;
        for (String line : lines) {
            Matcher frame = FRAME.matcher(line);
            if (!frame.find()) {
                continue;
            }
            counts.merge(kind(line), 1, Integer::sum);
            if (peer.test(frame.group(1))) {
                fromPeer++;
            }
        }
        return new CampusTally(counts, fromPeer);
    }

    /** Every frame counted. */
    public int total() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int count(Kind kind) {
        return counts.get(kind);
    }

    static Kind kind(String line) {
        if (line.contains(", ARP, ") || line.contains("ethertype ARP")) {
            return Kind.ARP;
        }
        Matcher udp = UDP_PORTS.matcher(line);
        if (udp.find()) {
            int source = Integer.parseInt(udp.group(1));
            int destination = Integer.parseInt(udp.group(2));
            if (isAny(source, destination, 137, 138)) {
                return Kind.NETBIOS;
            }
            if (isAny(source, destination, 67, 68)) {
                return Kind.DHCP;
            }
            if (isAny(source, destination, 5353, 5353)) {
                return Kind.MDNS;
            }
        }
        return Kind.OTHER;
    }

    private static boolean isAny(int source, int destination, int port, int otherPort) {
        return source == port || source == otherPort || destination == port || destination == otherPort;
    }
}
