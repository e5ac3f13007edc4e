package org.quietbridge.cli.demo;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many frames of each {@link TrafficKind} a capture saw, read from the lines of
 * {@code tcpdump -n -e -q -t -l}:
 * <pre>
 * 02:77:00:00:00:10 &gt; ff:ff:ff:ff:ff:ff, ARP, length 42: Request who-has 10.77.0.20 tell 10.77.0.10, length 28
 * 02:77:00:00:00:10 &gt; 01:00:5e:00:00:fb, IPv4, length 47: 10.77.0.10.5353 &gt; 224.0.0.251.5353: UDP, length 5
 * </pre>
 * Only frames from one source MAC are counted, so that one capture tells what a host sent from
 * what reached it. Lines of any other shape (tcpdump's "listening on" and its closing
 * statistics) and frames of no demo kind are not counted.
 */
final class CaptureTally {
    private static final String MAC = "[0-9a-f]{2}(?::[0-9a-f]{2}){5}";
    private static final String IPV4 = "\\d{1,3}(?:\\.\\d{1,3}){3}";
    private static final Pattern FRAME = Pattern.compile("^(" + MAC + ") > (" + MAC + "), (\\S+), length \\d+: (.*)$");
    private static final Pattern UDP = Pattern.compile("^(" + IPV4 + ")\\.(\\d+) > (" + IPV4 + ")\\.(\\d+):");

    private final Map<TrafficKind, Integer> counts;

    private CaptureTally(Map<TrafficKind, Integer> counts) {
        this.counts = counts;
    }

    /** Counts the frames whose Ethernet source is {@code sourceMac} (lower case, colon-separated). */
    static CaptureTally of(List<String> tcpdumpLines, String sourceMac) {
        Map<TrafficKind, Integer> counts = new EnumMap<>(TrafficKind.class);
        for (String line : tcpdumpLines) {
            kindOf(line, sourceMac).ifPresent(kind -> counts.merge(kind, 1, Integer::sum));
        }
        return new CaptureTally(counts);
    }

    int count(TrafficKind kind) {
        return counts.getOrDefault(kind, 0);
    }

    /** The kind of the frame on one line of tcpdump's, when it comes from {@code sourceMac}. */
    static Optional<TrafficKind> kindOf(String line, String sourceMac) {
        Matcher frame = FRAME.matcher(line.strip());
        if (!frame.matches() || !frame.group(1).equals(sourceMac)) {
            return Optional.empty();
        }
        String destinationMac = frame.group(2);
        String rest = frame.group(4);
        return switch (frame.group(3)) {
            case "ARP" -> TrafficKind.ofArp(destinationMac, rest.startsWith("Request who-has"));
            case "IPv4" -> {
                Matcher udp = UDP.matcher(rest);
                yield udp.find() ? TrafficKind.ofUdp(destinationMac, udp.group(3), Integer.parseInt(udp.group(4)))
                        : Optional.empty();
            }
            default -> Optional.empty();
        };
    }
}
