package org.quietbridge.cli;

import java.io.PrintWriter;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Logs the errors the data-plane thread survives without flooding the log: the first of a kind
 * at once, then at most one line per {@code intervalNanos} saying how many were held back. A
 * port whose link is down fails every round that has a frame for it; one line says so.
 */
final class ErrorLog implements Consumer<Throwable> {
    private final PrintWriter err;
    private final LongSupplier clock;
    private final long intervalNanos;
    private String lastMessage;
    private long lastLogged;
    private long suppressed;

    ErrorLog(PrintWriter err, LongSupplier clock, long intervalNanos) {
        this.err = err;
        this.clock = clock;
        this.intervalNanos = intervalNanos;
    }

    @Override
    public synchronized void accept(Throwable t) {
        String message = FailureReporter.oneLine(String.valueOf(t));
        long now = clock.getAsLong();
        if (message.equals(lastMessage) && now - lastLogged < intervalNanos) {
            suppressed++;
            return;
        }
        if (suppressed > 0) {
            err.println(FailureReporter.PREFIX + "data plane error repeated " + suppressed + " more times: "
                    + lastMessage);
        }
        err.println(FailureReporter.PREFIX + "data plane error (forwarding continues): " + message);
        err.flush();
        lastMessage = message;
        lastLogged = now;
        suppressed = 0;
    }
}
