package org.quietbridge.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The smallest lab: one network namespace joined to the namespace this process runs in by a veth pair.
 * The near end ({@link #hostEnd()}, {@code <prefix><id>}) is what a port under test opens; the far end
 * is {@link #FAR_END} inside the namespace ({@code <prefix>-<id>}), where traffic is sent and watched.
 * Both ends are up, IPv6 is off on both (no neighbour discovery or MLD on the link), and
 * {@link #close()} deletes the namespace, and with it the pair, even after a failure. bridge-core's port
 * tests run on it; the bridge's tests run on {@link Lab}.
 */
public final class VethNamespace implements AutoCloseable {
    /** The far end's name, inside the namespace. */
    public static final String FAR_END = "eth0";
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private final String namespace;
    private final String hostEnd;
    private final String ip;

    private VethNamespace(String prefix, String id, String ip) {
        this.namespace = prefix + "-" + id;
        this.hostEnd = prefix + id;
        this.ip = ip;
    }

    /**
     * Creates the namespace and the pair under a random six-digit id.
     *
     * @param prefix lower-case letters, at most 9 of them (an interface name has at most 15 characters)
     * @throws LabException when a command fails; whatever was made is removed first
     */
    public static VethNamespace create(String prefix) {
        if (!prefix.matches("[a-z]{1,9}")) {
            throw new LabException("a veth namespace prefix is 1 to 9 lower-case letters: '" + prefix + "'");
        }
        VethNamespace lab = new VethNamespace(prefix, String.format("%06x",
                ThreadLocalRandom.current().nextInt(1 << 24)), HostTool.IP.require());
        try {
            lab.run(lab.ip, "netns", "add", lab.namespace);
            lab.exec(HostTool.SYSCTL.require(), "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
            lab.run(lab.ip, "link", "add", lab.hostEnd, "type", "veth", "peer", "name", FAR_END, "netns",
                    lab.namespace);
            lab.run(HostTool.SYSCTL.require(), "-qw", "net.ipv6.conf." + lab.hostEnd + ".disable_ipv6=1");
            lab.run(lab.ip, "link", "set", lab.hostEnd, "up");
            lab.exec(lab.ip, "link", "set", "lo", "up");
            lab.exec(lab.ip, "link", "set", FAR_END, "up");
            return lab;
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    /** The namespace's name. */
    public String namespace() {
        return namespace;
    }

    /** The near end's name, in this process's namespace. */
    public String hostEnd() {
        return hostEnd;
    }

    /** Runs a command in this process's namespace; throws {@link LabException} with its output unless it exits 0. */
    public CommandResult run(String... command) {
        return CommandRunner.run(List.of(command), LIMIT).orThrow();
    }

    /** Runs a command inside the namespace; throws {@link LabException} with its output unless it exits 0. */
    public CommandResult exec(String... command) {
        return run(inNamespace(command).toArray(String[]::new));
    }

    /** {@code ip netns exec <namespace> command...}: for a process the caller starts and ends itself. */
    public List<String> inNamespace(String... command) {
        List<String> full = new ArrayList<>(List.of(ip, "netns", "exec", namespace));
        full.addAll(List.of(command));
        return full;
    }

    /** Deletes the namespace and the pair; quiet about what is already gone. */
    @Override
    public void close() {
        CommandRunner.run(List.of(ip, "netns", "del", namespace), LIMIT);
        // Deleting the namespace destroys its end and with it the pair; this is for a half-made lab.
        CommandRunner.run(List.of(ip, "link", "del", hostEnd), LIMIT);
    }
}
