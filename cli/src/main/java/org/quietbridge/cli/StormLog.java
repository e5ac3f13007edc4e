package org.quietbridge.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.bridge.forward.StormControl;
import org.quietbridge.bridge.forward.StormCounter;
import org.quietbridge.bridge.forward.StormSettings;
import org.quietbridge.frame.Ethernet;

/**
 * The lines {@code run} logs when a storm begins or ends on a storm-control limit: polled once a second
 * from the main thread over the counters the data plane publishes. A limit is known by its port and
 * class, so that its storms are not logged twice when a reload builds new buckets.
 */
final class StormLog {
    private final BridgeAgent agent;
    /** Per "port class": storms begun and ended, as last logged. */
    private final Map<String, long[]> logged = new HashMap<>();

    StormLog(BridgeAgent agent) {
        this.agent = agent;
    }

    /** The lines to log for what began or ended since the last poll; empty when nothing did. */
    List<String> poll() {
        StormControl storm = agent.stormControl();
        if (storm == null) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        for (int b = 0; b < storm.limits().size(); b++) {
            StormSettings.Limit limit = storm.limits().get(b);
            String port = agent.portName(limit.port());
            String what = limit.stormClass().label().replace('_', ' ') + " storm on " + port;
            long[] last = logged.computeIfAbsent(port + " " + limit.stormClass().label(), k -> new long[2]);
            long began = storm.counter(b, StormCounter.STORMS);
            long ended = storm.counter(b, StormCounter.ENDED);
            if (began > last[0]) {
                lines.add(String.format(Locale.ROOT, "storm control: a %s began: more than %d frames/s, top source %s;"
                        + " %s", what, limit.pps(), Ethernet.formatMac(storm.counter(b, StormCounter.START_SOURCE)),
                        limit.action() == StormSettings.Action.DROP ? "what exceeds the limit is dropped"
                                : "what exceeds the limit is forwarded and counted (action: log)"));
            }
            if (ended > last[1]) {
                lines.add(String.format(Locale.ROOT, "storm control: the %s ended after %.1f s: peak %d frames/s,"
                        + " %d frames over the limit %s, top source %s", what,
                        storm.counter(b, StormCounter.LAST_DURATION_NANOS) / 1e9, storm.counter(b, StormCounter.PEAK_PPS),
                        storm.counter(b, StormCounter.STORM_EXCESS),
                        limit.action() == StormSettings.Action.DROP ? "dropped" : "forwarded",
                        Ethernet.formatMac(storm.counter(b, StormCounter.END_SOURCE))));
            }
            last[0] = began;
            last[1] = ended;
        }
        return lines;
    }

    /**
     * One line per limit for the stop summary: {@code storm port=ap0 class=broadcast pps=500 action=drop
     * storms=1 dropped=4512 logged=0}.
     */
    static List<String> summary(BridgeAgent agent) {
        StormControl storm = agent.stormControl();
        if (storm == null) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        for (int b = 0; b < storm.limits().size(); b++) {
            StormSettings.Limit limit = storm.limits().get(b);
            lines.add("storm port=" + agent.portName(limit.port()) + " class=" + limit.stormClass().label() + " pps="
                    + limit.pps() + " action=" + limit.action().name().toLowerCase(Locale.ROOT) + " storms="
                    + storm.counter(b, StormCounter.STORMS) + " dropped=" + storm.counter(b, StormCounter.DROPPED)
                    + " logged=" + storm.counter(b, StormCounter.LOGGED));
        }
        return lines;
    }
}
