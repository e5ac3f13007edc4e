package org.quietbridge.cli;

import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.bridge.forward.PortCounter;

/**
 * The one line per minute that {@code run} logs: per port, frames per second received, the
 * broadcast/multicast rate in and forwarded, and frames per second dropped by the rules.
 * Rates are deltas of the data plane's counters over the interval.
 */
final class RateLog {
    private static final PortCounter[] SHOWN = {PortCounter.RX_FRAMES, PortCounter.RX_BROADCAST_MULTICAST,
        PortCounter.FORWARDED_BROADCAST_MULTICAST, PortCounter.DROP_RULE};

    private final BridgeAgent agent;
    private final long[][] last;
    private long lastNanos;

    RateLog(BridgeAgent agent, long nowNanos) {
        this.agent = agent;
        this.last = new long[agent.portCount()][SHOWN.length];
        this.lastNanos = nowNanos;
        sample(last);
    }

    private void sample(long[][] into) {
        for (int p = 0; p < into.length; p++) {
            for (int c = 0; c < SHOWN.length; c++) {
                into[p][c] = agent.counter(p, SHOWN[c]);
            }
        }
    }

    /** {@code rates: ap0 rx 1200/s bcast+mcast 40/s in 22/s fwd, 18/s dropped; core0 ...}. */
    String line(long nowNanos) {
        long[][] now = new long[last.length][SHOWN.length];
        sample(now);
        double seconds = Math.max(1e-9, (nowNanos - lastNanos) / 1e9);
        StringBuilder sb = new StringBuilder("rates over ").append(Math.round(seconds)).append(" s:");
        for (int p = 0; p < now.length; p++) {
            sb.append(p == 0 ? " " : "; ").append(agent.portName(p))
                    .append(" rx ").append(rate(now[p][0] - last[p][0], seconds))
                    .append(" bcast+mcast ").append(rate(now[p][1] - last[p][1], seconds)).append(" in ")
                    .append(rate(now[p][2] - last[p][2], seconds)).append(" fwd")
                    .append(", dropped ").append(rate(now[p][3] - last[p][3], seconds));
        }
        for (int p = 0; p < now.length; p++) {
            System.arraycopy(now[p], 0, last[p], 0, SHOWN.length);
        }
        lastNanos = nowNanos;
        return sb.toString();
    }

    private static String rate(long delta, double seconds) {
        double r = delta / seconds;
        return (r >= 100 || r == 0 ? String.valueOf(Math.round(r)) : String.format(java.util.Locale.ROOT, "%.1f", r))
                + "/s";
    }
}
