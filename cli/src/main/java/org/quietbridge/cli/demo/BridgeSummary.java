package org.quietbridge.cli.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.quietbridge.bridge.forward.PortCounter;

/**
 * The summary {@code quietbridge run} prints on standard error when it stops: one line per port
 * with every {@link PortCounter} as {@code label=value}, then one line per rule.
 * <pre>
 * quietbridge: port ap0 rx_frames=21 rx_bytes=1488 tx_frames=9 ... drop_rule=4 ...
 * quietbridge: rule netbios-broadcast-l2 action=drop hits=45
 * </pre>
 * Other lines (the readiness line, "stopping") are skipped. A counter a line does not name
 * reads as 0 through {@link Port#get}, so an older or newer bridge's summary still reads. The
 * lab demo reads it, and so do the integration tests, which insist on every name they look up.
 *
 * @param ports the port lines, in the order printed (the bridge's port order)
 * @param rules the rule lines, in rule order
 */
public record BridgeSummary(List<Port> ports, List<Rule> rules) {
    private static final Pattern PORT = Pattern.compile("^quietbridge: port (\\S+)((?: [a-z0-9_]+=\\d+)+)\\s*$");
    private static final Pattern COUNTER = Pattern.compile(" ([a-z0-9_]+)=(\\d+)");
    private static final Pattern RULE = Pattern.compile("^quietbridge: rule (\\S+) action=(\\S+) hits=(\\d+)\\s*$");

    public BridgeSummary {
        ports = List.copyOf(ports);
        rules = List.copyOf(rules);
    }

    /** One port's counters, by {@link PortCounter#label()}. */
    public record Port(String name, Map<String, Long> counters) {
        public Port {
            counters = Map.copyOf(counters);
        }

        long get(PortCounter counter) {
            return counters.getOrDefault(counter.label(), 0L);
        }

        /** Broadcast/multicast frames received on this port and not forwarded. */
        long broadcastMulticastRemoved() {
            return Math.max(0, get(PortCounter.RX_BROADCAST_MULTICAST) - get(PortCounter.FORWARDED_BROADCAST_MULTICAST));
        }
    }

    /**
     * @param action the effective action ({@code drop}, {@code forward}, {@code count}; in monitor
     *               mode a drop rule says {@code count})
     */
    public record Rule(String name, String action, long hits) {
    }

    /** Reads the summary out of everything the bridge printed. */
    public static BridgeSummary parse(List<String> lines) {
        List<Port> ports = new ArrayList<>();
        List<Rule> rules = new ArrayList<>();
        for (String line : lines) {
            Matcher port = PORT.matcher(line);
            if (port.matches()) {
                Map<String, Long> counters = new LinkedHashMap<>();
                Matcher counter = COUNTER.matcher(port.group(2));
                while (counter.find()) {
                    counters.put(counter.group(1), Long.parseLong(counter.group(2)));
                }
                ports.add(new Port(port.group(1), counters));
                continue;
            }
            Matcher rule = RULE.matcher(line);
            if (rule.matches()) {
                rules.add(new Rule(rule.group(1), rule.group(2), Long.parseLong(rule.group(3))));
            }
        }
        return new BridgeSummary(ports, rules);
    }

    /** Whether the output held no port line: the bridge did not get to print its summary. */
    boolean isEmpty() {
        return ports.isEmpty();
    }

    /** The sum of {@code counter} over all ports. */
    long total(PortCounter counter) {
        return ports.stream().mapToLong(port -> port.get(counter)).sum();
    }

    long totalBroadcastMulticastRemoved() {
        return ports.stream().mapToLong(Port::broadcastMulticastRemoved).sum();
    }
}
