package org.quietbridge.cli.demo;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The summary that {@code ping} prints when it ends (iputils; BusyBox says "packets received"):
 * <pre>
 * 3 packets transmitted, 3 received, 0% packet loss, time 404ms
 * rtt min/avg/max/mdev = 0.294/0.836/1.897/0.750 ms
 * </pre>
 *
 * @param transmitted     echo requests sent
 * @param received        echo replies received
 * @param averageRttMillis the average round-trip time, when any reply came
 */
record PingStatistics(int transmitted, int received, OptionalDouble averageRttMillis) {
    private static final Pattern COUNTS = Pattern.compile("(\\d+) packets transmitted, (\\d+) (?:packets )?received");
    private static final Pattern RTT = Pattern.compile("= [0-9.]+/([0-9.]+)/");

    /** Reads ping's output; empty when it has no summary line (ping could not start). */
    static Optional<PingStatistics> parse(String output) {
        Matcher counts = COUNTS.matcher(output);
        if (!counts.find()) {
            return Optional.empty();
        }
        Matcher rtt = RTT.matcher(output);
        OptionalDouble average = rtt.find() ? OptionalDouble.of(Double.parseDouble(rtt.group(1)))
                : OptionalDouble.empty();
        return Optional.of(new PingStatistics(Integer.parseInt(counts.group(1)), Integer.parseInt(counts.group(2)),
                average));
    }

    /** Whether every echo request got its reply. */
    boolean allAnswered() {
        return transmitted > 0 && received == transmitted;
    }
}
