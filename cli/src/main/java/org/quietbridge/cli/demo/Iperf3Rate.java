package org.quietbridge.cli.demo;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rate from the receiver's summary line of {@code iperf3 -c HOST -f m}:
 * <pre>
 * [  5]   0.00-3.02   sec   526 MBytes  1461 Mbits/sec                  receiver
 * </pre>
 * The receiver's figure, not the sender's: it counts what crossed the bridge.
 */
final class Iperf3Rate {
    private static final Pattern RECEIVER = Pattern.compile("([0-9.]+) Mbits/sec\\s+receiver");

    private Iperf3Rate() {
    }

    /** The receiver's rate in Mbit/s, when the output has a receiver line. */
    static OptionalDouble megabitsPerSecond(String output) {
        Matcher m = RECEIVER.matcher(output);
        return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
    }
}
