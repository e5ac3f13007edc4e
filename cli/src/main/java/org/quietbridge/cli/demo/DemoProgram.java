package org.quietbridge.cli.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.quietbridge.lab.LabException;
import org.quietbridge.lab.Programs;

/**
 * The host programs the lab demo runs, each with the Debian package that ships it. They are
 * looked up on {@code PATH} and in {@code /usr/sbin} and {@code /sbin}, where Debian puts
 * nmbd, mausezahn and ip, and which a non-login root shell may lack on its PATH. The demo runs
 * them by absolute path, also inside {@code ip netns exec}.
 */
enum DemoProgram {
    IP("ip", "iproute2"),
    SS("ss", "iproute2"),
    ETHTOOL("ethtool", "ethtool"),
    SYSCTL("sysctl", "procps"),
    PING("ping", "iputils-ping"),
    NMBD("nmbd", "samba"),
    NMBLOOKUP("nmblookup", "samba-common-bin"),
    TCPDUMP("tcpdump", "tcpdump"),
    MAUSEZAHN("mausezahn", "netsniff-ng"),
    IPERF3("iperf3", "iperf3");

    private final String program;
    private final String debianPackage;

    DemoProgram(String program, String debianPackage) {
        this.program = program;
        this.debianPackage = debianPackage;
    }

    /** The program's absolute path, if it is installed. */
    Optional<Path> find() {
        return Programs.find(program);
    }

    /** The absolute path, for a program that {@link #checkAllInstalled()} found. */
    String path() {
        return find().map(Path::toString).orElseThrow(() -> new LabException(program + " is not installed"));
    }

    /**
     * Checks that every program is there.
     *
     * @throws LabException one line that names every missing program and the packages to install
     */
    static void checkAllInstalled() {
        List<String> missing = new ArrayList<>();
        Set<String> packages = new LinkedHashSet<>();
        for (DemoProgram p : values()) {
            if (p.find().isEmpty()) {
                missing.add(p.program);
                packages.add(p.debianPackage);
            }
        }
        if (!missing.isEmpty()) {
            throw new LabException("lab demo needs " + String.join(", ", missing) + ", not found on PATH, in /usr/sbin"
                    + " or in /sbin; install them with: apt-get install " + String.join(" ", packages)
                    + " (./demo does that)");
        }
    }
}
