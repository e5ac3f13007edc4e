package org.quietbridge.bridge.forward;

import java.io.IOException;

/**
 * A supervisor that restarts the process when it stops hearing from it (systemd's {@code WatchdogSec=}).
 * The data-plane thread pings it from its own loop, so only a loop that makes progress keeps it quiet:
 * a hung data plane is killed and restarted. {@link #ping()} allocates nothing.
 */
public interface Watchdog {
    /** How often to ping: a fraction of the supervisor's timeout. */
    long intervalNanos();

    void ping() throws IOException;
}
