package org.quietbridge.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The host programs the lab and its demo drive, each with the Debian package that ships it.
 *
 * <p>They are found on {@code PATH} and, failing that, in {@code /usr/sbin} and {@code /sbin}
 * ({@link Programs}): a shell that is not a login shell (cron, CI runners) often lacks the sbin
 * folders, where Debian installs ip, nmbd and mausezahn. The lab runs them by absolute path, also
 * inside {@code ip netns exec}, so that the namespace's view of {@code PATH} does not matter.
 */
public enum HostTool {
    IP("ip", "iproute2"),
    SS("ss", "iproute2"),
    ETHTOOL("ethtool", "ethtool"),
    SYSCTL("sysctl", "procps"),
    PING("ping", "iputils-ping"),
    NMBD("nmbd", "samba"),
    NMBLOOKUP("nmblookup", "samba-common-bin"),
    TCPDUMP("tcpdump", "tcpdump"),
    MAUSEZAHN("mausezahn", "netsniff-ng"),
    IPERF3("iperf3", "iperf3"),
    DNSMASQ("dnsmasq", "dnsmasq-base"),
    BUSYBOX("busybox", "busybox"),
    PYTHON3("python3", "python3"),
    NFT("nft", "nftables");

    /** What building and removing the lab needs. */
    public static final List<HostTool> LAB = List.of(IP, ETHTOOL, SYSCTL);
    /** What {@code lab demo} needs. */
    public static final List<HostTool> DEMO = List.of(IP, SS, ETHTOOL, SYSCTL, PING, NMBD, NMBLOOKUP, TCPDUMP,
            MAUSEZAHN, IPERF3);
    /**
     * What {@code lab campus} needs: dnsmasq serves DHCP, busybox's udhcpc asks for it, python3 sends mDNS
     * through a host's own UDP socket, and the bridge's default {@code failover: kernel} needs nft.
     */
    public static final List<HostTool> CAMPUS = List.of(IP, SYSCTL, PING, NMBD, NMBLOOKUP, TCPDUMP, DNSMASQ,
            BUSYBOX, PYTHON3, NFT);

    private final String program;
    private final String debianPackage;

    HostTool(String program, String debianPackage) {
        this.program = program;
        this.debianPackage = debianPackage;
    }

    /** The program's absolute path, if it is installed. */
    public Optional<Path> find() {
        return Programs.find(program);
    }

    /**
     * The program's absolute path.
     *
     * @throws LabException with a one-line message naming the package to install
     */
    public String require() {
        return find().map(Path::toString).orElseThrow(() -> new LabException(
                "`" + program + "` not found on PATH, in /usr/sbin or in /sbin: the lab needs it;"
                        + " install the Debian package " + debianPackage));
    }

    /**
     * Checks that every one of {@code tools} is there.
     *
     * @param what who needs them, for the message ("lab demo")
     * @param hint said after the packages, or ""
     * @throws LabException one line that names every missing program and the packages to install
     */
    public static void requireAll(String what, List<HostTool> tools, String hint) {
        List<String> missing = new ArrayList<>();
        Set<String> packages = new LinkedHashSet<>();
        for (HostTool t : tools) {
            if (t.find().isEmpty()) {
                missing.add(t.program);
                packages.add(t.debianPackage);
            }
        }
        if (!missing.isEmpty()) {
            throw new LabException(what + " needs " + String.join(", ", missing) + ", not found on PATH, in /usr/sbin"
                    + " or in /sbin; install them with: apt-get install " + String.join(" ", packages) + hint);
        }
    }
}
