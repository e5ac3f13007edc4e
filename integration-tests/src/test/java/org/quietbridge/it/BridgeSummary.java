package org.quietbridge.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code quietbridge run} prints when it stops, read by the lab demo's parser
 * ({@link org.quietbridge.cli.demo.BridgeSummary}), looked up as a test insists: a port, counter or rule
 * the summary does not name fails the test instead of reading as 0.
 */
public record BridgeSummary(org.quietbridge.cli.demo.BridgeSummary parsed) {
    public static BridgeSummary parse(String stderr) {
        return new BridgeSummary(org.quietbridge.cli.demo.BridgeSummary.parse(stderr.lines().toList()));
    }

    /** Each port's counters by port name, in the order printed. */
    public Map<String, Map<String, Long>> ports() {
        Map<String, Map<String, Long>> ports = new LinkedHashMap<>();
        parsed.ports().forEach(p -> ports.put(p.name(), p.counters()));
        return ports;
    }

    /** Each rule's line by rule name, in rule order. */
    public Map<String, org.quietbridge.cli.demo.BridgeSummary.Rule> rules() {
        Map<String, org.quietbridge.cli.demo.BridgeSummary.Rule> rules = new LinkedHashMap<>();
        parsed.rules().forEach(r -> rules.put(r.name(), r));
        return rules;
    }

    /** A port's counter; fails the test when the summary lacks the port or the counter. */
    public long counter(String port, String counter) {
        Map<String, Long> counters = parsed.ports().stream().filter(p -> p.name().equals(port)).findFirst()
                .map(org.quietbridge.cli.demo.BridgeSummary.Port::counters)
                .orElseGet(() -> fail("the summary has no line for port " + port + ": " + parsed));
        Long value = counters.get(counter);
        if (value == null) {
            return fail("port " + port + " has no counter " + counter + " in the summary: " + counters);
        }
        return value;
    }

    /**
     * The frames a port received that were the data plane's to forward: all it received but those the kernel's
     * stand-in had forwarded before the data plane took the ports ({@code drop_forwarded_by_kernel}; a host's
     * chatter in the moments before the start line).
     */
    public long forDataPlane(String port) {
        return counter(port, "rx_frames") - counter(port, "drop_forwarded_by_kernel");
    }

    /** A rule's hits; fails the test when the summary lacks the rule. */
    public long hits(String rule) {
        return parsed.rules().stream().filter(r -> r.name().equals(rule)).findFirst()
                .map(org.quietbridge.cli.demo.BridgeSummary.Rule::hits)
                .orElseGet(() -> fail("the summary has no line for rule " + rule + ": " + parsed.rules()));
    }
}
