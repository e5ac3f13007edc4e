package org.quietbridge.bridge.forward;

/** What storm control keeps for each limit; ids are indexes into its {@link CounterArray}. */
public enum StormCounter {
    /** Frames over the limit, dropped (action drop). */
    DROPPED,
    /** Frames over the limit, forwarded and only counted (action log, or {@code run --monitor}). */
    LOGGED,
    /** Storms that began: more than the limit arrived within one second. */
    STORMS,
    /** Storms that ended: a second in which at most the falling limit arrived. */
    ENDED,
    /** 1 while a storm lasts (a gauge). */
    ACTIVE,
    /** The source MAC that sent most of the class in the second the current or last storm began. */
    START_SOURCE,
    /** The source MAC that sent most of the class during the last storm that ended. */
    END_SOURCE,
    /** The most frames of the class within one second of the current or last storm. */
    PEAK_PPS,
    /** Frames over the limit during the current or last storm. */
    STORM_EXCESS,
    /** How long the last storm that ended lasted, in nanoseconds: to the start of its first quiet second. */
    LAST_DURATION_NANOS;

    int id() {
        return ordinal();
    }
}
