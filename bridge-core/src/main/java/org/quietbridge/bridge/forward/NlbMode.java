package org.quietbridge.bridge.forward;

import java.util.Locale;

/** What the bridge does about Microsoft NLB cluster floods ({@code nlb.mode} in the configuration). */
public enum NlbMode {
    /** Nothing: cluster frames are forwarded like any other, no table, no counters. */
    OFF,
    /**
     * Learn where clusters live and count what containment would do, but forward as before: the
     * way to see what {@link #CONTAIN} would save before turning it on.
     */
    MONITOR,
    /** Send frames for a located cluster only to its member ports (port-restricted forwarding). */
    CONTAIN;

    /** The configuration word: off, monitor, contain. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
