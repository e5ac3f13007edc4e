package org.quietbridge.bridge.failover;

/**
 * The {@code failover:} section: whether the kernel stands in when quietbridge does not forward.
 *
 * @param kernel        {@code failover: kernel} (the default): the kernel forwards between the ports, with
 *                      the rules it can carry, whenever the data plane has not held the gate within
 *                      {@code timeoutMillis}; false ({@code failover: off}): nothing forwards then
 * @param timeoutMillis how long one hold keeps the kernel out: how fast it takes over
 */
public record FailoverSettings(boolean kernel, int timeoutMillis) {
    public static final int DEFAULT_TIMEOUT_MILLIS = 200;
    public static final int MIN_TIMEOUT_MILLIS = 100;
    public static final int MAX_TIMEOUT_MILLIS = 5000;

    public FailoverSettings {
        if (timeoutMillis < MIN_TIMEOUT_MILLIS || timeoutMillis > MAX_TIMEOUT_MILLIS) {
            throw new IllegalArgumentException("failover timeout " + timeoutMillis + " ms is outside "
                    + MIN_TIMEOUT_MILLIS + ".." + MAX_TIMEOUT_MILLIS);
        }
    }

    public static FailoverSettings defaults() {
        return new FailoverSettings(true, DEFAULT_TIMEOUT_MILLIS);
    }

    public static FailoverSettings off() {
        return new FailoverSettings(false, DEFAULT_TIMEOUT_MILLIS);
    }

    /** The configuration's word: kernel or off. */
    public String mode() {
        return kernel ? "kernel" : "off";
    }
}
