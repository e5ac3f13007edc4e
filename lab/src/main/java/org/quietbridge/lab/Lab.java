package org.quietbridge.lab;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A namespace lab: a client host and a server host on one Ethernet segment that is cut in two,
 * with a namespace in the cut where a bridge has to carry every frame across.
 *
 * <pre>
 *  &lt;prefix&gt;-ap                 &lt;prefix&gt;-br                       &lt;prefix&gt;-core
 * +-----------------+       +-------------------------+       +-----------------+
 * | eth0            |  veth | ap0               core0 |  veth |            eth0 |
 * | 10.77.0.10/24   |-------| (no addresses)          |-------|   10.77.0.20/24 |
 * | fd00:77::10/64  |       |                         |       |  fd00:77::20/64 |
 * | 02:77:0:0:0:10  |       | (the bridge runs here)  |       |  02:77:0:0:0:20 |
 * +-----------------+       +-------------------------+       +-----------------+
 * </pre>
 *
 * <ul>
 *   <li>Both hosts are in one subnet, 10.77.0.0/24 (RFC 1918 private space) and fd00:77::/64
 *       (an RFC 4193 unique local prefix), because a transparent bridge joins one L2 segment: ARP
 *       and IPv6 neighbour discovery must cross it. Until a bridge runs in {@code br}, the hosts
 *       cannot reach each other.</li>
 *   <li>The hosts' MAC addresses are fixed, locally administered unicast addresses, so that
 *       captures and forwarding-table assertions can name them.</li>
 *   <li>The bridge's ports {@value #AP_PORT} and {@value #CORE_PORT} are up, with the hosts' MTU
 *       and no address at all: IPv6 is off on them, so the {@code br} namespace never sends a
 *       frame of its own (no DAD, router solicitation or MLD), and whatever a capture on a port
 *       shows came from a host.</li>
 *   <li>The hosts keep veth's default offloads (TSO, GSO, TX checksum), as VMs and containers do:
 *       the bridge gets GSO super-frames and frames with unfilled checksums. Without
 *       {@link LabOptions#hostOffloads()} they are off ({@code ethtool -K eth0 tso off gso off tx off}),
 *       so that the frames look as they do on a physical wire (docs/ARCHITECTURE.md, "Offloads").</li>
 * </ul>
 *
 * <p>The JVM stays in the root namespace: every command runs through {@code ip netns exec}, and
 * the bridge itself is started the same way, in {@link Role#BR}. Building a lab needs root.
 *
 * <p>{@link #close()} ends the processes the lab started and deletes its namespaces;
 * {@link #destroy(String)} removes what a crashed run left behind. Unless
 * {@link LabOptions#removeOnExit()} is off, a JVM shutdown hook closes a lab that was not closed.
 */
public final class Lab implements AutoCloseable {
    /** The hosts' interface, in {@link Role#AP} and {@link Role#CORE}. */
    public static final String HOST_DEVICE = "eth0";
    /** The bridge's port that faces the client host. */
    public static final String AP_PORT = "ap0";
    /** The bridge's port that faces the server host. */
    public static final String CORE_PORT = "core0";
    public static final String IPV4_SUBNET = "10.77.0.0/24";
    /** The subnet-directed broadcast address of {@link #IPV4_SUBNET}, where NetBIOS broadcasts go. */
    public static final String IPV4_BROADCAST = "10.77.0.255";
    public static final String IPV6_SUBNET = "fd00:77::/64";
    /** The bridge's end of the management link ({@link #addManagementLink}), in its namespace. */
    public static final String MANAGEMENT_PORT = "mgmt0";
    /** Where the bridge's API can listen on the management link, reachable from this machine. */
    public static final String MANAGEMENT_BRIDGE_ADDRESS = "10.77.255.2";
    /** This machine's end of the management link. */
    public static final String MANAGEMENT_HOST_ADDRESS = "10.77.255.1";
    /** The {@code ethtool -k} features that are off on the hosts unless {@link LabOptions#hostOffloads()}. */
    public static final List<String> HOST_OFFLOAD_FEATURES =
            List.of("tcp-segmentation-offload", "generic-segmentation-offload", "tx-checksumming");

    private static final int IPV4_PREFIX_LENGTH = 24;
    private static final int IPV6_PREFIX_LENGTH = 64;
    private static final Host AP_HOST = new Host("10.77.0.10", "fd00:77::10", "02:77:00:00:00:10");
    private static final Host CORE_HOST = new Host("10.77.0.20", "fd00:77::20", "02:77:00:00:00:20");
    /** Namespace names are file names under /run/netns; keep them short and shell-safe. */
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9][a-z0-9-]{0,23}");
    private static final Duration STOP_GRACE = Duration.ofSeconds(3);
    private static final Duration LINK_UP_LIMIT = Duration.ofSeconds(5);
    private static final Duration LINK_UP_POLL = Duration.ofMillis(20);
    private static final Path PROC_STATUS = Path.of("/proc/self/status");

    private record Host(String ipv4, String ipv6, String mac) {
    }

    private final String prefix;
    private final LabOptions options;
    private final String ip;
    private final List<Process> started = new CopyOnWriteArrayList<>();
    private final Thread removeOnExitHook;
    private volatile boolean closed;

    private Lab(String prefix, LabOptions options, String ip) {
        this.prefix = prefix;
        this.options = options;
        this.ip = ip;
        this.removeOnExitHook = options.removeOnExit()
                ? Thread.ofPlatform().name("lab-" + prefix + "-remove-on-exit").unstarted(this::closeAtExit)
                : null;
    }

    /**
     * Builds a lab whose namespaces are {@code <prefix>-ap}, {@code <prefix>-br} and
     * {@code <prefix>-core}. On failure, whatever was built is removed again.
     *
     * @param prefix  1 to 24 characters of {@code [a-z0-9-]}, starting with a letter or digit
     * @throws LabException when not root, when a needed program is missing, when a namespace of
     *                      that prefix exists already, or when a setup command fails
     */
    public static Lab create(String prefix, LabOptions options) {
        checkPrefix(prefix);
        Objects.requireNonNull(options, "options");
        checkHost(options);
        List<String> present = existingNamespaces(prefix);
        if (!present.isEmpty()) {
            throw new LabException("lab " + prefix + " exists already (" + String.join(", ", present)
                    + "): remove it first with Lab.destroy(\"" + prefix + "\")");
        }
        Lab lab = new Lab(prefix, options, HostTool.IP.require());
        if (lab.removeOnExitHook != null) {
            Runtime.getRuntime().addShutdownHook(lab.removeOnExitHook);
        }
        try {
            lab.build();
        } catch (RuntimeException e) {
            try {
                lab.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return lab;
    }

    /**
     * Removes the lab of {@code prefix}, whichever run built it: ends the processes still
     * inside its namespaces, then deletes the namespaces (which takes their veth links along).
     * Does nothing when none of them exists.
     *
     * @throws LabException when a namespace cannot be deleted
     */
    public static void destroy(String prefix) {
        checkPrefix(prefix);
        String ip = HostTool.IP.require();
        List<String> failures = new ArrayList<>();
        for (String namespace : existingNamespaces(prefix)) {
            endProcessesIn(ip, namespace);
            CommandResult deleted = CommandRunner.run(List.of(ip, "netns", "del", namespace),
                    LabOptions.DEFAULT_COMMAND_TIMEOUT);
            if (!deleted.succeeded()) {
                failures.add(namespace + ": " + deleted.stderr().strip());
            }
        }
        if (!failures.isEmpty()) {
            throw new LabException("cannot delete namespaces of lab " + prefix + ": " + String.join("; ", failures));
        }
    }

    /**
     * Adds a management link: a veth pair from this machine's namespace ({@code qbm-<prefix>},
     * {@value #MANAGEMENT_HOST_ADDRESS}/30) to the bridge's ({@value #MANAGEMENT_PORT},
     * {@value #MANAGEMENT_BRIDGE_ADDRESS}/30), so a browser here can open the bridge's dashboard,
     * as an operator reaches an appliance's management port. It carries no bridged traffic, and it
     * goes away with the bridge's namespace.
     *
     * @return the URL the dashboard will have when the bridge's API listens on the link
     */
    public String addManagementLink() {
        ensureOpen();
        String hostSide = managementLinkName(prefix);
        ip("link", "add", hostSide, "type", "veth", "peer", "name", MANAGEMENT_PORT, "netns", namespace(Role.BR));
        ip("addr", "add", MANAGEMENT_HOST_ADDRESS + "/30", "dev", hostSide);
        ip("link", "set", hostSide, "up");
        ip("-n", namespace(Role.BR), "addr", "add", MANAGEMENT_BRIDGE_ADDRESS + "/30", "dev", MANAGEMENT_PORT);
        ip("-n", namespace(Role.BR), "link", "set", MANAGEMENT_PORT, "up");
        ip("-n", namespace(Role.BR), "link", "set", "lo", "up");
        return "http://" + MANAGEMENT_BRIDGE_ADDRESS + ":9700/";
    }

    /** This machine's end of a lab's management link: at most 15 characters, as Linux allows. */
    public static String managementLinkName(String prefix) {
        String name = "qbm-" + prefix;
        return name.length() <= 15 ? name : "qbm-" + Integer.toHexString(prefix.hashCode());
    }

    /** The names of {@code prefix}'s namespaces that exist now, in {@link Role} order. */
    public static List<String> existingNamespaces(String prefix) {
        checkPrefix(prefix);
        List<String> all = CommandRunner.run(List.of(HostTool.IP.require(), "netns", "list"),
                        LabOptions.DEFAULT_COMMAND_TIMEOUT)
                .orThrow().stdout().lines()
                .map(line -> line.strip().split("\\s+", 2)[0]) // "name (id: 3)"
                .toList();
        return Arrays.stream(Role.values()).map(role -> namespaceName(prefix, role)).filter(all::contains).toList();
    }

    /** Whether this process's effective uid is 0, as building a lab needs. */
    public static boolean runningAsRoot() {
        return effectiveUid() == 0;
    }

    public String prefix() {
        return prefix;
    }

    public LabOptions options() {
        return options;
    }

    /** The full name of a namespace of this lab, such as {@code qbit-4242-br}. */
    public String namespace(Role role) {
        return namespaceName(prefix, role);
    }

    /** The IPv4 address, without prefix length, of the host in {@link Role#AP} or {@link Role#CORE}. */
    public String ipv4(Role host) {
        return host(host).ipv4();
    }

    /** The IPv6 address, without prefix length, of the host in {@link Role#AP} or {@link Role#CORE}. */
    public String ipv6(Role host) {
        return host(host).ipv6();
    }

    /** The MAC address of {@value #HOST_DEVICE} in {@link Role#AP} or {@link Role#CORE}. */
    public String mac(Role host) {
        return host(host).mac();
    }

    /** The bridge's port that faces the host in {@link Role#AP} or {@link Role#CORE}. */
    public String bridgePort(Role host) {
        return switch (host) {
            case AP -> AP_PORT;
            case CORE -> CORE_PORT;
            case BR -> throw new IllegalArgumentException("the bridge namespace faces no single port: use AP or CORE");
        };
    }

    /**
     * Runs {@code argv} inside a namespace ({@code ip netns exec <namespace> argv...}) and waits
     * for it at most {@link LabOptions#commandTimeout()}.
     *
     * @throws LabException when it cannot start or overruns the limit; a non-zero exit is
     *                      returned, not thrown ({@link CommandResult#orThrow()} throws it)
     */
    public CommandResult exec(Role role, String... argv) {
        return exec(role, options.commandTimeout(), argv);
    }

    /** {@link #exec(Role, String...)} with its own time limit. */
    public CommandResult exec(Role role, Duration timeout, String... argv) {
        ensureOpen();
        return CommandRunner.run(inNamespace(role, argv), timeout);
    }

    /**
     * Starts {@code argv} inside a namespace and returns at once. Its standard output and error
     * are pipes that the caller must read, or the process may block when one fills up; see
     * {@link #start(Role, Path, String...)} for a process whose output goes to a file.
     * {@code ip netns exec} replaces itself with the command, so the {@link Process} is the
     * command itself. Stop it with {@link #stop(Process)}; {@link #close()} stops it otherwise.
     */
    public Process start(Role role, String... argv) {
        return track(new ProcessBuilder(inNamespace(role, argv)));
    }

    /** {@link #start(Role, String...)} with standard output and error appended to {@code log}. */
    public Process start(Role role, Path log, String... argv) {
        return track(new ProcessBuilder(inNamespace(role, argv))
                .redirectOutput(Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true));
    }

    /**
     * Ends a process from {@link #start(Role, String...)} and whatever it forked: SIGTERM, then
     * SIGKILL after 3 s.
     *
     * @return its exit status (128 + signal number when a signal ended it)
     * @throws LabException when it is still alive after SIGKILL
     */
    public int stop(Process process) {
        CommandRunner.terminate(process.toHandle(), STOP_GRACE);
        started.remove(process);
        try {
            // terminate() counts a zombie as gone; the JVM reaps its own child just after.
            if (process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new LabException("process " + process.pid() + " in lab " + prefix + " did not exit after SIGKILL");
    }

    /**
     * Stops every process this lab started and deletes its namespaces. Calling it again does
     * nothing.
     *
     * @throws LabException when a namespace cannot be deleted
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (removeOnExitHook != null && Thread.currentThread() != removeOnExitHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(removeOnExitHook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running or about to: it will find the lab closed.
            }
        }
        for (Process process : started) {
            CommandRunner.terminate(process.toHandle(), STOP_GRACE);
        }
        started.clear();
        destroy(prefix);
    }

    @Override
    public String toString() {
        return "Lab[" + prefix + "]";
    }

    private void build() {
        for (Role role : Role.values()) {
            ip("netns", "add", namespace(role));
            ip("-n", namespace(role), "link", "set", "lo", "up");
        }
        connect(Role.AP, AP_HOST);
        connect(Role.CORE, CORE_HOST);
        for (Role host : List.of(Role.AP, Role.CORE)) {
            awaitLinkUp(host);
            if (!options.hostOffloads()) {
                checkOffloadsOff(host);
            }
        }
    }

    /**
     * Deletes {@code host}'s veth pair, as a driver reload or a NIC re-plug takes an interface away: the
     * bridge port and the host's {@value #HOST_DEVICE} are gone.
     */
    public void disconnect(Role host) {
        ip("-n", namespace(Role.BR), "link", "del", bridgePort(host));
    }

    /** Creates {@code host}'s veth pair again, as at the start, and waits until it is up. */
    public void reconnect(Role host) {
        connect(host, host == Role.AP ? AP_HOST : CORE_HOST);
        awaitLinkUp(host);
    }

    /** Creates the veth pair between a host and the bridge namespace, and configures both ends. */
    private void connect(Role host, Host addressing) {
        String hostNs = namespace(host);
        String bridgeNs = namespace(Role.BR);
        String port = bridgePort(host);
        String mtu = Integer.toString(options.mtu());
        ip("link", "add", "name", HOST_DEVICE, "address", addressing.mac(), "mtu", mtu, "netns", hostNs,
                "type", "veth", "peer", "name", port, "mtu", mtu, "netns", bridgeNs);

        sysctl(Role.BR, "net.ipv6.conf." + port + ".disable_ipv6=1");
        // IPv6 stays on for the hosts: neighbour discovery has to cross the bridge. Duplicate
        // address detection is off, or every address stays tentative for about a second after
        // link-up (RFC 4862 section 5.4, the kernel's dad_transmits=1 and 1 s retransmit timer)
        // and a test's first IPv6 packet fails. The lab's addresses are unique by construction.
        sysctl(host, "net.ipv6.conf." + HOST_DEVICE + ".accept_dad=0");
        if (!options.hostOffloads()) {
            exec(host, HostTool.ETHTOOL.require(), "-K", HOST_DEVICE, "tso", "off", "gso", "off", "tx", "off")
                    .orThrow();
        }
        ip("-n", hostNs, "addr", "add", addressing.ipv4() + "/" + IPV4_PREFIX_LENGTH, "dev", HOST_DEVICE);
        ip("-n", hostNs, "addr", "add", addressing.ipv6() + "/" + IPV6_PREFIX_LENGTH, "dev", HOST_DEVICE, "nodad");
        ip("-n", bridgeNs, "link", "set", port, "up");
        ip("-n", hostNs, "link", "set", HOST_DEVICE, "up");
    }

    /**
     * Waits until the host's {@value #HOST_DEVICE} is operationally up. Until then its queue is
     * not attached and the kernel drops what the host sends, so a test's first packet would be
     * lost. veth has carrier once both ends are up, so this also means the bridge port is up.
     */
    private void awaitLinkUp(Role host) {
        long deadline = System.nanoTime() + LINK_UP_LIMIT.toNanos();
        while (true) {
            String link = ip("-n", namespace(host), "-o", "link", "show", "dev", HOST_DEVICE).stdout();
            if (link.contains(" state UP ")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new LabException(namespace(host) + ": " + HOST_DEVICE + " not up after "
                        + LINK_UP_LIMIT.toMillis() + " ms: " + link.strip());
            }
            try {
                Thread.sleep(LINK_UP_POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted while waiting for " + namespace(host) + " " + HOST_DEVICE, e);
            }
        }
    }

    /** ethtool -K exits 0 even when a driver keeps a feature on; read back what it did. */
    private void checkOffloadsOff(Role host) {
        EthtoolFeatures features = EthtoolFeatures.parse(
                exec(host, HostTool.ETHTOOL.require(), "-k", HOST_DEVICE).orThrow().stdout());
        List<String> stillOn = HOST_OFFLOAD_FEATURES.stream().filter(features::isOn).toList();
        if (!stillOn.isEmpty()) {
            throw new LabException(namespace(host) + ": " + HOST_DEVICE + " kept " + String.join(", ", stillOn)
                    + " on after ethtool -K; use LabOptions.withHostOffloads(true) to build the lab anyway");
        }
    }

    private CommandResult ip(String... args) {
        List<String> command = new ArrayList<>(args.length + 1);
        command.add(ip);
        command.addAll(List.of(args));
        return CommandRunner.run(command, options.commandTimeout()).orThrow();
    }

    private void sysctl(Role role, String assignment) {
        exec(role, HostTool.SYSCTL.require(), "-q", "-w", assignment).orThrow();
    }

    private List<String> inNamespace(Role role, String... argv) {
        if (argv.length == 0) {
            throw new IllegalArgumentException("no command given");
        }
        List<String> command = new ArrayList<>(argv.length + 4);
        command.addAll(List.of(ip, "netns", "exec", namespace(role)));
        command.addAll(List.of(argv));
        return command;
    }

    private synchronized Process track(ProcessBuilder builder) {
        ensureOpen();
        Process process = CommandRunner.start(builder);
        started.add(process);
        return process;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed: its namespaces are gone");
        }
    }

    private void closeAtExit() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("quietbridge lab " + prefix + ": removal at JVM exit failed: " + e.getMessage());
        }
    }

    private static Host host(Role role) {
        return switch (role) {
            case AP -> AP_HOST;
            case CORE -> CORE_HOST;
            case BR -> throw new IllegalArgumentException("the bridge namespace has no host: its ports carry no address");
        };
    }

    private static String namespaceName(String prefix, Role role) {
        return prefix + "-" + role.suffix();
    }

    static void checkPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("lab prefix \"" + prefix + "\" must be 1 to 24 characters of"
                    + " a-z, 0-9 and '-', starting with a letter or digit");
        }
    }

    private static void checkHost(LabOptions options) {
        if (!runningAsRoot()) {
            throw new LabException("the lab needs root to create network namespaces and veth links;"
                    + " this process runs as uid " + effectiveUid());
        }
        HostTool.IP.require();
        HostTool.SYSCTL.require();
        if (!options.hostOffloads()) {
            HostTool.ETHTOOL.require();
        }
    }

    /**
     * Ends what still runs inside a lab namespace: a daemon that forked away from the
     * {@link Process} that {@link #start} returned, or what a crashed run left. Only this
     * lab's own namespace is searched, so only processes started for the lab are ended, each
     * by its PID; the JVM itself never enters a lab namespace.
     */
    static void endProcessesIn(String ip, String namespace) {
        CommandResult pids = CommandRunner.run(List.of(ip, "netns", "pids", namespace), LabOptions.DEFAULT_COMMAND_TIMEOUT);
        long self = ProcessHandle.current().pid();
        pids.stdout().lines()
                .map(String::strip)
                .filter(line -> line.matches("\\d+"))
                .map(Long::parseLong)
                .filter(pid -> pid != self)
                .forEach(pid -> ProcessHandle.of(pid).ifPresent(process -> CommandRunner.terminate(process, STOP_GRACE)));
    }

    /** The effective uid: the second field of the Uid line of /proc/self/status (proc(5)). */
    private static int effectiveUid() {
        try {
            return Files.readAllLines(PROC_STATUS).stream()
                    .filter(line -> line.startsWith("Uid:"))
                    .map(line -> Integer.parseInt(line.split("\\s+")[2]))
                    .findFirst()
                    .orElseThrow(() -> new LabException(PROC_STATUS + " has no Uid line"));
        } catch (IOException e) {
            throw new LabException("cannot read " + PROC_STATUS + ": " + e.getMessage(), e);
        }
    }
}
