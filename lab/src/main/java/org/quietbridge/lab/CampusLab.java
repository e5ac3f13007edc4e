package org.quietbridge.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * A campus segment cut by the bridge: one access point's clients on one side, the rest of the campus on the
 * other, every host a namespace with its own stack.
 *
 * <pre>
 *  &lt;p&gt;-c01 .. &lt;p&gt;-c20        &lt;p&gt;-apsw        &lt;p&gt;-br           &lt;p&gt;-coresw       &lt;p&gt;-gw, -srv, -d01 .. -d10
 *  wireless clients  ---  sw0 (kernel   --- ap0   core0 ---  sw0 (kernel  ---  gateway, server, wired
 *  (DHCP addresses)       bridge): the AP     (the bridge     bridge): the      desktops (fixed addresses)
 *                                             runs here)      campus core
 * </pre>
 *
 * <ul>
 *   <li>One IPv4 subnet, {@value #SUBNET}: the gateway is {@value #GATEWAY_IP}, the server {@value #SERVER_IP}
 *       (it will serve DHCP and NetBIOS), the desktops {@code .11} to {@code .20}; the clients take addresses
 *       from {@value #DHCP_FIRST} to {@value #DHCP_LAST} by DHCP. IPv6 is off in every namespace: this lab
 *       measures the IPv4 broadcast and multicast OIT measured (docs/ARCHITECTURE.md, "The lab"), and neighbour
 *       discovery, which ARP containment does not touch, would only add a constant.</li>
 *   <li>The two switches are kernel bridges without STP or multicast snooping, as an access point and a small
 *       switch flood: what the clients send to each other never reaches the bridge's namespace.</li>
 *   <li>MAC addresses are fixed, locally administered: clients {@code 02:77:0c:00:00:NN}, desktops
 *       {@code 02:77:0d:00:00:NN}, gateway {@code 02:77:00:00:00:01}, server {@code 02:77:00:00:00:02}.</li>
 *   <li>The hosts keep veth's default offloads, as VMs and containers do.</li>
 * </ul>
 *
 * <p>{@link #close()} ends what the lab started and deletes its namespaces; {@link #destroy(String)} removes
 * what a crashed run left. Building it needs root.
 */
public final class CampusLab implements AutoCloseable {
    public static final String SUBNET = "10.77.0.0/24";
    public static final String BROADCAST = "10.77.0.255";
    public static final String GATEWAY_IP = "10.77.0.1";
    public static final String SERVER_IP = "10.77.0.2";
    public static final String DHCP_FIRST = "10.77.0.100";
    public static final String DHCP_LAST = "10.77.0.199";
    /** The switch device in {@code <prefix>-apsw} and {@code <prefix>-coresw}. */
    public static final String SWITCH = "sw0";
    /** The kernel bridge {@link #bridgeInKernel} makes in the bridge's namespace, for a run without quietbridge. */
    public static final String KERNEL_BRIDGE = "kbr0";
    public static final int DEFAULT_CLIENTS = 20;
    public static final int DEFAULT_DESKTOPS = 10;
    private static final int MAX_HOSTS_PER_KIND = 80;
    private static final int PREFIX_LENGTH = 24;
    private static final Duration LIMIT = LabOptions.DEFAULT_COMMAND_TIMEOUT;
    private static final Duration STOP_GRACE = Duration.ofSeconds(3);
    private static final Pattern OWN_NAMESPACE = Pattern.compile("(br|apsw|coresw|gw|srv|d\\d\\d|c\\d\\d)");

    /** Which side of the bridge a host is on. */
    public enum Side {
        /** Behind the access point: {@value Lab#AP_PORT}. */
        AP,
        /** On the campus core: {@value Lab#CORE_PORT}. */
        CORE
    }

    /**
     * One host of the lab.
     *
     * @param name      its short name ({@code c01}, {@code gw}), also its port on its switch
     * @param namespace its namespace
     * @param mac       the MAC address of its {@value Lab#HOST_DEVICE}
     * @param ipv4      its fixed address; empty for a client, which asks DHCP
     * @param side      where it is
     */
    public record Host(String name, String namespace, String mac, Optional<String> ipv4, Side side) {
    }

    private final String prefix;
    private final String ip;
    private final List<Host> hosts;
    private final List<Process> started = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private CampusLab(String prefix, String ip, int clients, int desktops) {
        this.prefix = prefix;
        this.ip = ip;
        List<Host> all = new ArrayList<>();
        all.add(new Host("gw", namespaceName(prefix, "gw"), "02:77:00:00:00:01", Optional.of(GATEWAY_IP), Side.CORE));
        all.add(new Host("srv", namespaceName(prefix, "srv"), "02:77:00:00:00:02", Optional.of(SERVER_IP), Side.CORE));
        for (int i = 1; i <= desktops; i++) {
            String name = String.format(Locale.ROOT, "d%02d", i);
            all.add(new Host(name, namespaceName(prefix, name), String.format(Locale.ROOT, "02:77:0d:00:00:%02x", i),
                    Optional.of("10.77.0." + (10 + i)), Side.CORE));
        }
        for (int i = 1; i <= clients; i++) {
            String name = String.format(Locale.ROOT, "c%02d", i);
            all.add(new Host(name, namespaceName(prefix, name), String.format(Locale.ROOT, "02:77:0c:00:00:%02x", i),
                    Optional.empty(), Side.AP));
        }
        this.hosts = List.copyOf(all);
    }

    /**
     * Builds the lab; on failure, whatever was built is removed again.
     *
     * @param clients  namespaces behind the access point, 1 to 80
     * @param desktops wired desktops on the core side besides the gateway and the server, 0 to 80
     * @throws LabException when not root, {@code ip} or {@code sysctl} is missing, a namespace of the prefix
     *                      exists already, or a command fails
     */
    public static CampusLab create(String prefix, int clients, int desktops) {
        Lab.checkPrefix(prefix);
        if (clients < 1 || clients > MAX_HOSTS_PER_KIND || desktops < 0 || desktops > MAX_HOSTS_PER_KIND) {
            throw new IllegalArgumentException("a campus lab has 1 to " + MAX_HOSTS_PER_KIND + " clients and 0 to "
                    + MAX_HOSTS_PER_KIND + " desktops: " + clients + ", " + desktops);
        }
        if (!Lab.runningAsRoot()) {
            throw new LabException("the campus lab needs root to create network namespaces and veth links");
        }
        HostTool.SYSCTL.require();
        List<String> present = existingNamespaces(prefix);
        if (!present.isEmpty()) {
            throw new LabException("lab " + prefix + " exists already (" + String.join(", ", present)
                    + "): remove it first with 'quietbridge lab down --prefix " + prefix + "'");
        }
        CampusLab lab = new CampusLab(prefix, HostTool.IP.require(), clients, desktops);
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

    /** The namespaces of a campus lab of {@code prefix} that exist now. */
    public static List<String> existingNamespaces(String prefix) {
        Lab.checkPrefix(prefix);
        String start = prefix + "-";
        return CommandRunner.run(List.of(HostTool.IP.require(), "netns", "list"), LIMIT).orThrow().stdout().lines()
                .map(line -> line.strip().split("\\s+", 2)[0])
                .filter(name -> name.startsWith(start) && OWN_NAMESPACE.matcher(name.substring(start.length())).matches())
                .sorted().toList();
    }

    /**
     * Removes the campus lab of {@code prefix}, whichever run built it: ends the processes in its namespaces,
     * each by its PID, and deletes them. Does nothing when none exists.
     *
     * @return the namespaces it deleted
     */
    public static List<String> destroy(String prefix) {
        List<String> present = existingNamespaces(prefix);
        String ip = HostTool.IP.require();
        List<String> failures = new ArrayList<>();
        for (String namespace : present) {
            Lab.endProcessesIn(ip, namespace);
        }
        for (String namespace : present) {
            CommandResult deleted = CommandRunner.run(List.of(ip, "netns", "del", namespace), LIMIT);
            if (!deleted.succeeded()) {
                failures.add(namespace + ": " + deleted.stderr().strip());
            }
        }
        if (!failures.isEmpty()) {
            throw new LabException("cannot delete namespaces of lab " + prefix + ": " + String.join("; ", failures));
        }
        return present;
    }

    public String prefix() {
        return prefix;
    }

    /** Every host: the gateway, the server, the desktops, then the clients. */
    public List<Host> hosts() {
        return hosts;
    }

    /** The hosts on one side. */
    public List<Host> hosts(Side side) {
        return hosts.stream().filter(h -> h.side() == side).toList();
    }

    /** The host called {@code name} ({@code gw}, {@code srv}, {@code d01}, {@code c01}). */
    public Host host(String name) {
        return hosts.stream().filter(h -> h.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no host " + name + " in campus lab " + prefix));
    }

    /** The bridge's namespace, with its ports {@value Lab#AP_PORT} and {@value Lab#CORE_PORT}. */
    public String bridgeNamespace() {
        return namespaceName(prefix, "br");
    }

    /**
     * Joins the bridge's two ports with a kernel bridge ({@value #KERNEL_BRIDGE}, no STP, no multicast
     * snooping): the segment as it is without quietbridge. {@code false} deletes it again, and the ports stay up.
     */
    public void bridgeInKernel(boolean joined) {
        String br = bridgeNamespace();
        if (joined) {
            ip("-n", br, "link", "add", KERNEL_BRIDGE, "type", "bridge", "stp_state", "0", "mcast_snooping", "0");
            ip("-n", br, "link", "set", Lab.AP_PORT, "master", KERNEL_BRIDGE);
            ip("-n", br, "link", "set", Lab.CORE_PORT, "master", KERNEL_BRIDGE);
            ip("-n", br, "link", "set", KERNEL_BRIDGE, "up");
        } else {
            ip("-n", br, "link", "del", KERNEL_BRIDGE);
        }
    }

    /** Runs {@code argv} in {@code namespace} and waits at most {@code timeout}; a non-zero exit is returned. */
    public CommandResult exec(String namespace, Duration timeout, String... argv) {
        ensureOpen();
        return CommandRunner.run(inNamespace(namespace, argv), timeout);
    }

    /**
     * Starts {@code argv} in {@code namespace}; its output is a pipe the caller reads. {@link #stop} or
     * {@link #close()} ends it.
     */
    public Process start(String namespace, String... argv) {
        ensureOpen();
        Process process = CommandRunner.start(new ProcessBuilder(inNamespace(namespace, argv)));
        started.add(process);
        return process;
    }

    /** Ends a process from {@link #start} and what it forked: SIGTERM, then SIGKILL after 3 s. */
    public void stop(Process process) {
        CommandRunner.terminate(process.toHandle(), STOP_GRACE);
        started.remove(process);
    }

    /** Stops what the lab started and deletes its namespaces; a second call does nothing. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Process process : started) {
            CommandRunner.terminate(process.toHandle(), STOP_GRACE);
        }
        started.clear();
        destroy(prefix);
    }

    // ---- building ---------------------------------------------------------------------------------

    private void build() {
        String br = bridgeNamespace();
        String apSwitch = namespaceName(prefix, "apsw");
        String coreSwitch = namespaceName(prefix, "coresw");
        List<String> namespaces = new ArrayList<>(List.of(br, apSwitch, coreSwitch));
        hosts.forEach(h -> namespaces.add(h.namespace()));
        for (String namespace : namespaces) {
            ip("netns", "add", namespace);
            // No IPv6 anywhere, and no frame of its own from the bridge's or the switches' namespaces.
            CommandRunner.run(inNamespace(namespace, HostTool.SYSCTL.require(), "-qw",
                    "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"), LIMIT).orThrow();
            ip("-n", namespace, "link", "set", "lo", "up");
        }
        for (String sw : List.of(apSwitch, coreSwitch)) {
            ip("-n", sw, "link", "add", SWITCH, "type", "bridge", "stp_state", "0", "mcast_snooping", "0");
            ip("-n", sw, "link", "set", SWITCH, "up");
        }
        uplink(apSwitch, Lab.AP_PORT);
        uplink(coreSwitch, Lab.CORE_PORT);
        for (Host host : hosts) {
            String sw = host.side() == Side.AP ? apSwitch : coreSwitch;
            ip("link", "add", host.name(), "netns", sw, "type", "veth", "peer", "name", Lab.HOST_DEVICE,
                    "address", host.mac(), "netns", host.namespace());
            ip("-n", sw, "link", "set", host.name(), "master", SWITCH, "up");
            if (host.ipv4().isPresent()) {
                ip("-n", host.namespace(), "addr", "add", host.ipv4().get() + "/" + PREFIX_LENGTH, "dev",
                        Lab.HOST_DEVICE);
            }
            ip("-n", host.namespace(), "link", "set", Lab.HOST_DEVICE, "up");
        }
    }

    /** The switch's port toward the bridge, named as the bridge's port it joins. */
    private void uplink(String sw, String bridgePort) {
        ip("link", "add", bridgePort, "netns", sw, "type", "veth", "peer", "name", bridgePort, "netns",
                bridgeNamespace());
        ip("-n", sw, "link", "set", bridgePort, "master", SWITCH, "up");
        ip("-n", bridgeNamespace(), "link", "set", bridgePort, "up");
    }

    private void ip(String... args) {
        List<String> command = new ArrayList<>(args.length + 1);
        command.add(ip);
        command.addAll(List.of(args));
        CommandRunner.run(command, LIMIT).orThrow();
    }

    private List<String> inNamespace(String namespace, String... argv) {
        if (argv.length == 0) {
            throw new IllegalArgumentException("no command given");
        }
        List<String> command = new ArrayList<>(argv.length + 4);
        command.addAll(List.of(ip, "netns", "exec", namespace));
        command.addAll(List.of(argv));
        return command;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("campus lab " + prefix + " is closed: its namespaces are gone");
        }
    }

    private static String namespaceName(String prefix, String suffix) {
        return prefix + "-" + suffix;
    }

}
