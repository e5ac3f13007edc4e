package org.quietbridge.it;

import java.util.List;

/**
 * The words that run a command as the systemd unit runs quietbridge: as {@code user}, with CAP_NET_RAW and
 * CAP_NET_ADMIN as its only (ambient) capabilities and no new privileges (setpriv does what the unit's
 * User=, AmbientCapabilities=, CapabilityBoundingSet= and NoNewPrivileges= do).
 */
public final class ServiceUser {
    private ServiceUser() {
    }

    /** {@code setpriv ...} for {@code user} (a name or a uid); the command follows. */
    public static List<String> asTheUnitRuns(String user) {
        return List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--clear-groups",
                "--inh-caps=-all,+net_raw,+net_admin", "--ambient-caps=-all,+net_raw,+net_admin",
                "--bounding-set=-all,+net_raw,+net_admin", "--no-new-privs");
    }
}
