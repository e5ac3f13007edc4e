package org.quietbridge.bridge.forward;

import java.util.List;

/**
 * Storm control's limits ({@code storm_control:} in the configuration): none by default.
 *
 * @param limits at most one per port and class
 */
public record StormSettings(List<Limit> limits) {
    /** The highest limit: more than a 10 Gbit/s port carries of 64-byte frames. */
    public static final long MAX_PPS = 20_000_000L;

    public StormSettings {
        limits = List.copyOf(limits);
        for (int i = 0; i < limits.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (limits.get(i).port() == limits.get(j).port() && limits.get(i).stormClass() == limits.get(j).stormClass()) {
                    throw new IllegalArgumentException("two limits for port " + limits.get(i).port() + " "
                            + limits.get(i).stormClass().label());
                }
            }
        }
    }

    public static StormSettings none() {
        return new StormSettings(List.of());
    }

    /** The same limits, each only logging what it would drop ({@code run --monitor}). */
    public StormSettings logOnly() {
        return new StormSettings(limits.stream().map(l -> new Limit(l.port(), l.stormClass(), l.pps(), l.fallingPps(),
                Action.LOG)).toList());
    }

    /** What happens to the frames over a limit. */
    public enum Action {
        /** Dropped, and counted as {@code drop_storm} on the ingress port. */
        DROP,
        /** Forwarded, and counted as over the limit: to learn a site's rates before enforcing them. */
        LOG
    }

    /**
     * One limit, on frames of a class received on a port.
     *
     * @param port       the ingress port's index
     * @param stormClass which frames
     * @param pps        frames per second let through; a storm starts when more than this arrive within a second
     * @param fallingPps a storm ends after a second in which at most this many arrived (at most {@code pps})
     * @param action     drop the excess, or only log it
     */
    public record Limit(int port, StormClass stormClass, long pps, long fallingPps, Action action) {
        public Limit {
            if (pps < 1 || pps > MAX_PPS) {
                throw new IllegalArgumentException("pps must be 1.." + MAX_PPS + ": " + pps);
            }
            if (fallingPps < 0 || fallingPps > pps) {
                throw new IllegalArgumentException("falling_pps must be 0..pps (" + pps + "): " + fallingPps);
            }
        }
    }
}
