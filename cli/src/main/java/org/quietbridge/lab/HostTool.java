package org.quietbridge.lab;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The host programs the lab drives, each with the Debian package that ships it.
 *
 * <p>They are found on {@code PATH} and, failing that, in {@code /usr/sbin} and {@code /sbin}:
 * a shell that is not a login shell (cron, CI runners) often lacks the sbin folders, where
 * Debian installs all three. The lab runs them by absolute path, also inside
 * {@code ip netns exec}, so that the namespace's view of {@code PATH} does not matter.
 */
enum HostTool {
    IP("ip", "iproute2"),
    ETHTOOL("ethtool", "ethtool"),
    SYSCTL("sysctl", "procps");

    private final String program;
    private final String debianPackage;

    HostTool(String program, String debianPackage) {
        this.program = program;
        this.debianPackage = debianPackage;
    }

    /** The program's absolute path, if it is installed. */
    Optional<Path> find() {
        return Programs.find(program);
    }

    /**
     * The program's absolute path.
     *
     * @throws LabException with a one-line message naming the package to install
     */
    String require() {
        return find().map(Path::toString).orElseThrow(() -> new LabException(
                "`" + program + "` not found on PATH, in /usr/sbin or in /sbin: the lab needs it;"
                        + " install the Debian package " + debianPackage));
    }
}
