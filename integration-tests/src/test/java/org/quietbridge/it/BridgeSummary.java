package org.quietbridge.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code quietbridge run} prints when it stops, as an operator's script reads it:
 *
 * <pre>
 * quietbridge: port ap0 rx_frames=8 rx_bytes=728 tx_frames=8 ... drop_rule=0 ... flooded=3
 * quietbridge: rule netbios-broadcast-l2 action=drop hits=21
 * </pre>
 */
record BridgeSummary(Map<String, Map<String, Long>> ports, Map<String, Rule> rules) {
    private static final Pattern PORT_LINE = Pattern.compile("^quietbridge: port (\\S+)((?: [a-z_0-9]+=\\d+)+)\\s*$");
    private static final Pattern COUNTER = Pattern.compile("([a-z_0-9]+)=(\\d+)");
    private static final Pattern RULE_LINE = Pattern.compile("^quietbridge: rule (\\S+) action=(\\S+) hits=(\\d+)\\s*$");

    /** One rule's line. */
    record Rule(String action, long hits) {
    }

    static BridgeSummary parse(String stderr) {
        Map<String, Map<String, Long>> ports = new LinkedHashMap<>();
        Map<String, Rule> rules = new LinkedHashMap<>();
        for (String line : stderr.lines().toList()) {
            Matcher port = PORT_LINE.matcher(line);
            if (port.matches()) {
                Map<String, Long> counters = new LinkedHashMap<>();
                Matcher c = COUNTER.matcher(port.group(2));
                while (c.find()) {
                    counters.put(c.group(1), Long.parseLong(c.group(2)));
                }
                ports.put(port.group(1), counters);
                continue;
            }
            Matcher rule = RULE_LINE.matcher(line);
            if (rule.matches()) {
                rules.put(rule.group(1), new Rule(rule.group(2), Long.parseLong(rule.group(3))));
            }
        }
        return new BridgeSummary(ports, rules);
    }

    /** A port's counter; fails the test when the summary lacks the port or the counter. */
    long counter(String port, String counter) {
        Map<String, Long> counters = ports.get(port);
        if (counters == null) {
            return fail("the summary has no line for port " + port + ": " + this);
        }
        Long value = counters.get(counter);
        if (value == null) {
            return fail("port " + port + " has no counter " + counter + " in the summary: " + counters);
        }
        return value;
    }

    /** A rule's hits; fails the test when the summary lacks the rule. */
    long hits(String rule) {
        Rule r = rules.get(rule);
        if (r == null) {
            return fail("the summary has no line for rule " + rule + ": " + rules);
        }
        return r.hits();
    }
}
