package org.quietbridge.bridge.config;

/** How the data-plane thread waits when the wire is quiet ({@code idle:} in the config). */
public enum IdleMode {
    /** Spin: lowest latency, one core busy all the time. */
    SPIN("spin"),
    /** Spin, yield, then park up to 100 µs: near-spin latency under load, little CPU when idle. */
    BACKOFF("backoff"),
    /** Block in poll(2) on every port: least CPU, a wake-up's latency per quiet period. */
    BLOCK("block");

    private final String word;

    IdleMode(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }
}
