package org.quietbridge.cli.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.quietbridge.lab.CampusLab;
import org.quietbridge.lab.CampusLab.Host;
import org.quietbridge.lab.CampusLab.Side;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.HostTool;
import org.quietbridge.lab.Lab;
import org.quietbridge.lab.LabException;

/**
 * {@code quietbridge lab campus}: the same stretch of campus activity three times on a {@link CampusLab}, without
 * quietbridge, with its NetBIOS rules only, and with everything on, counting the broadcast and multicast frames
 * that reach one wireless client ({@value #WATCHED}) each time.
 *
 * <p>The activity, from flushed neighbour caches each time, with real stacks only:
 * <ul>
 *   <li>the server and the desktops start nmbd (name registrations, browser elections and announcements, as
 *       Windows hosts do when they boot);</li>
 *   <li>every client takes a lease from dnsmasq on the server (busybox udhcpc);</li>
 *   <li>every client pings the gateway; the server and every desktop ping the gateway and the server;</li>
 *   <li>every desktop looks up the server's name and a name nobody has by NetBIOS broadcast, and every client
 *       looks up the server's name by a unicast query to it, which must be answered;</li>
 *   <li>half-way, the gateway's neighbour cache is flushed and it pings every client, as traffic from off the
 *       subnet to clients whose entries had expired;</li>
 *   <li>throughout, a desktop (a printer) sends an mDNS query every 5 s and the last client every 10 s.</li>
 * </ul>
 * With everything on, all hosts then ping all others from flushed caches, and a client's address moves to the
 * core side (the laptop docks), which the gateway and {@value #WATCHED} must reach at once.
 */
public final class CampusScenario {
    public static final String DEFAULT_PREFIX = "qbcampus";
    public static final int DEFAULT_SECONDS = 60;
    public static final int MIN_SECONDS = 15;
    /** What quietbridge with everything on must remove of what reached the client without it. */
    public static final int GOAL_PERCENT = 75;
    /** The client whose capture counts. */
    static final String WATCHED = "c01";
    /** The client whose address moves to the core side, and the desktop it moves to. */
    private static final String ROAMER = "c20";
    private static final String DOCK = "d10";
    private static final String PRINTER = "d10";
    private static final String SERVER_NAME = "QBSRV";
    private static final String MISSING_NAME = "QBPRINTER";
    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(20);
    private static final Duration READY_LIMIT = Duration.ofSeconds(30);
    private static final Duration OUTPUT_LIMIT = Duration.ofSeconds(3);
    private static final Duration ANSWER_LIMIT = Duration.ofSeconds(15);
    private static final Pattern DROPPED = Pattern.compile("drop_\\w+=[1-9]\\d*");
    private static final Pattern LEASE = Pattern.compile("lease of ([0-9.]+) obtained");
    private static final String MDNS_SENDER = """
            import socket, struct, sys, time
            address, count, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(address))
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
            query = struct.pack('>6H', 0, 0, 1, 0, 0, 0) + b'\\x04_ipp\\x04_tcp\\x05local\\x00' + struct.pack('>2H', 12, 1)
            for _ in range(count):
                s.sendto(query, ('224.0.0.251', 5353))
                time.sleep(interval)
            """;
    private static final String UDHCPC_SCRIPT = """
            #!/bin/sh
            # udhcpc(8) events for quietbridge's campus lab: the lease's address on the interface, nothing else
            # (no route, no resolv.conf: the lab has no way out and must not touch this machine's files).
            case "$1" in
              deconfig) ip -4 addr flush dev "$interface" ;;
              bound|renew) ip addr replace "$ip/$subnet" dev "$interface" ;;
            esac
            """;

    /** The three runs. */
    enum Phase {
        OFF("without quietbridge (a kernel bridge joins ap0 and core0)", "without quietbridge", null),
        NETBIOS("quietbridge with the NetBIOS rules only", "NetBIOS rules only", """
                # quietbridge lab campus: the default NetBIOS rules, nothing else
                ports: [ap0, core0]
                """),
        ALL("quietbridge with everything on: NetBIOS rules, ARP containment (unicast), storm control",
                "everything on", """
                # quietbridge lab campus: everything on
                ports: [ap0, core0]
                arp: {mode: unicast}
                storm_control:
                  - {port: ap0, class: broadcast, pps: 500}
                  - {port: core0, class: broadcast, pps: 500}
                  - {port: core0, class: multicast, pps: 500}
                """);

        private final String title;
        private final String label;
        private final String config;

        Phase(String title, String label, String config) {
            this.title = title;
            this.label = label;
            this.config = config;
        }
    }

    private final String prefix;
    private final Duration window;
    private final Installation installation;
    private final DemoReport report;
    private final Map<Phase, CampusTally> tallies = new LinkedHashMap<>();
    private final Map<String, String> leases = new LinkedHashMap<>();
    /** dnsmasq, for the whole run. */
    private final List<Process> daemons = new ArrayList<>();
    /** nmbd and the mDNS senders, for one phase. */
    private final List<Process> phaseDaemons = new ArrayList<>();

    private CampusLab lab;
    private LabFolder folder;
    private Path udhcpcScript;
    private Path clientConf;
    private final Map<String, Path> sambaConfs = new LinkedHashMap<>();
    private Process bridge;
    private ProcessOutput bridgeOutput;

    /**
     * @param prefix  the lab's prefix
     * @param seconds how long each phase's capture runs, at least {@value #MIN_SECONDS}
     */
    public CampusScenario(String prefix, int seconds, Installation installation, PrintWriter out) {
        if (seconds < MIN_SECONDS) {
            throw new IllegalArgumentException("--seconds must be at least " + MIN_SECONDS + ": " + seconds);
        }
        this.prefix = prefix;
        this.window = Duration.ofSeconds(seconds);
        this.installation = installation;
        this.report = new DemoReport(out);
    }

    /** Checks, before anything is built, that the scenario can run here; one line otherwise. */
    public void checkHost() {
        if (!Lab.runningAsRoot()) {
            throw new LabException("lab campus needs root: it creates network namespaces and veth links; run it with sudo");
        }
        HostTool.requireAll("lab campus", HostTool.CAMPUS, "");
        List<String> present = CampusLab.existingNamespaces(prefix);
        if (!present.isEmpty()) {
            throw new LabException("lab " + prefix + " exists already (" + present.size() + " namespaces, "
                    + present.getFirst() + "...): remove it with 'quietbridge lab down --prefix " + prefix
                    + "', or pick another --prefix");
        }
    }

    /**
     * Runs the three phases and removes the lab again.
     *
     * @return 0 when every check passed, the goal included; 1 otherwise
     */
    public int run() {
        long begin = System.nanoTime();
        checkHost();
        folder = LabFolder.of(prefix);
        report.line("quietbridge lab campus: one access point's " + CampusLab.DEFAULT_CLIENTS + " clients on one side,"
                + " a gateway, a server and " + CampusLab.DEFAULT_DESKTOPS + " desktops on the other (lab " + prefix
                + "); the same " + window.toSeconds() + " s of activity three times, counted at client " + WATCHED);
        report.line("");
        // Ctrl-C or kill: the JVM's exit removes the lab and what runs in it (each process by its PID).
        Thread removeOnExit = Thread.ofPlatform().name("lab-campus-remove-on-exit").unstarted(() -> {
            try {
                CampusLab.destroy(prefix);
                folder.delete();
            } catch (RuntimeException e) {
                System.err.println("quietbridge lab campus: removal at exit failed: " + e.getMessage()
                        + "; remove the rest with: quietbridge lab down --prefix " + prefix);
            }
        });
        Runtime.getRuntime().addShutdownHook(removeOnExit);
        try {
            build();
            for (Phase phase : Phase.values()) {
                runPhase(phase);
            }
            result();
        } catch (LabException | IOException e) {
            report.fail(oneLine(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            report.fail("interrupted");
        } catch (RuntimeException e) {
            report.fail("unexpected failure: " + oneLine(e.toString()));
        } finally {
            cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(removeOnExit);
            } catch (IllegalStateException exiting) {
                // the hook runs or is about to: it finds the lab gone
            }
        }
        report.line("");
        String seconds = String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - begin) / 1e9);
        report.line(report.failures() == 0 ? "campus passed: all " + report.checks() + " checks ok in " + seconds
                : "campus FAILED: " + report.failures() + " of " + report.checks() + " checks failed in " + seconds);
        return report.failures() == 0 ? 0 : 1;
    }

    // ---- the steps ----------------------------------------------------------------------------------

    private void build() throws IOException {
        report.step("Lab: " + prefix + "-c01.." + prefix + "-c" + CampusLab.DEFAULT_CLIENTS + " behind " + prefix
                + "-apsw, the bridge's namespace " + prefix + "-br, " + prefix + "-gw, -srv, -d01..-d"
                + CampusLab.DEFAULT_DESKTOPS + " behind " + prefix + "-coresw");
        long begin = System.nanoTime();
        lab = CampusLab.create(prefix, CampusLab.DEFAULT_CLIENTS, CampusLab.DEFAULT_DESKTOPS);
        Files.createDirectories(folder.path());
        udhcpcScript = Files.writeString(folder.file("udhcpc.script"), UDHCPC_SCRIPT);
        Files.setPosixFilePermissions(udhcpcScript, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Host host : lab.hosts(Side.CORE)) {
            if (!host.name().equals("gw")) {
                sambaConfs.put(host.name(), folder.writeSambaConfig("samba-" + host.name(), netbiosName(host)));
            }
        }
        clientConf = folder.writeSambaConfig("samba-clients", "QBCLIENT");
        Host server = lab.host("srv");
        daemons.add(drained(lab.start(server.namespace(), HostTool.DNSMASQ.require(), "--keep-in-foreground",
                "--conf-file=/dev/null", "--port=0", "--interface=" + Lab.HOST_DEVICE, "--bind-interfaces",
                "--dhcp-range=" + CampusLab.DHCP_FIRST + "," + CampusLab.DHCP_LAST + ",255.255.255.0,12h",
                "--dhcp-option=3," + CampusLab.GATEWAY_IP, "--dhcp-authoritative", "--no-ping",
                "--dhcp-leasefile=" + folder.file("dnsmasq.leases"), "--pid-file=" + folder.file("dnsmasq.pid"),
                "--log-facility=-")));
        report.info(lab.hosts().size() + " hosts built in " + seconds(begin) + "; dnsmasq serves DHCP on "
                + CampusLab.SERVER_IP + " (" + CampusLab.DHCP_FIRST + " to " + CampusLab.DHCP_LAST + ")");
    }

    private void runPhase(Phase phase) throws InterruptedException, IOException {
        report.step("Phase " + (phase.ordinal() + 1) + " of " + Phase.values().length + ": " + phase.title);
        connect(phase);
        Host watched = lab.host(WATCHED);
        parallel(lab.hosts(), host -> exec(host, "ip", "neigh", "flush", "all"));
        parallel(lab.hosts(Side.AP), host -> exec(host, "ip", "-4", "addr", "flush", "dev", Lab.HOST_DEVICE));
        Process capture = lab.start(watched.namespace(), HostTool.TCPDUMP.require(), "-i", Lab.HOST_DEVICE, "-Q", "in",
                "-n", "-e", "-q", "-t", "-l", "-B", "4096", "ether multicast");
        ProcessOutput captured = ProcessOutput.of(capture);
        if (captured.await(line -> line.startsWith("listening on"), READY_LIMIT).isEmpty()) {
            throw new LabException("tcpdump did not start in " + watched.namespace() + ": " + captured.lastLine());
        }
        long begin = System.nanoTime();
        activity(begin);
        sleepUntil(begin, 1.0);
        lab.stop(capture);
        captured.awaitClosed(OUTPUT_LIMIT);
        stopDaemonsOfPhase();
        CampusTally tally = CampusTally.of(captured.lines(), mac -> lab.hosts(Side.AP).stream()
                .anyMatch(h -> h.mac().equals(mac)));
        tallies.put(phase, tally);
        report.info(String.format(Locale.ROOT, "broadcast and multicast reaching %s in %d s: %d (%s), %d of them"
                        + " from its neighbours behind the access point", WATCHED, window.toSeconds(), tally.total(),
                kinds(tally), tally.fromPeer()));
        if (phase == Phase.ALL) {
            allPairsPing();
            movedAddress();
        }
        disconnect(phase);
    }

    /** The same activity in every phase; {@code begin} is when the capture started. */
    private void activity(long begin) throws InterruptedException {
        for (Map.Entry<String, Path> conf : sambaConfs.entrySet()) {
            Host host = lab.host(conf.getKey());
            phaseDaemons.add(drained(lab.start(host.namespace(), HostTool.NMBD.require(), "-F", "--no-process-group",
                    "-s", conf.getValue().toString(), "-l", conf.getValue().getParent().resolve("log").toString())));
        }
        phaseDaemons.add(mdns(lab.host(PRINTER), 5));
        Map<String, String> got = new LinkedHashMap<>();
        List<Host> clients = lab.hosts(Side.AP);
        List<String> leased = parallel(clients, client -> lease(client));
        for (int i = 0; i < clients.size(); i++) {
            if (leased.get(i) != null) {
                got.put(clients.get(i).name(), leased.get(i));
            }
        }
        report.check(got.size() == clients.size(), "DHCP: " + got.size() + " of " + clients.size()
                + " clients took a lease from dnsmasq" + (got.size() == clients.size() ? ""
                : "; none for " + clients.stream().map(Host::name).filter(n -> !got.containsKey(n))
                        .collect(Collectors.joining(", "))));
        leases.clear();
        leases.putAll(got);
        if (leases.containsKey(ROAMER)) {
            phaseDaemons.add(mdns(lab.host(ROAMER), 10));
        }
        List<Host> leasedClients = clients.stream().filter(c -> leases.containsKey(c.name())).toList();
        List<Integer> pinged = new ArrayList<>(parallel(leasedClients, c -> ping(c, CampusLab.GATEWAY_IP)));
        for (Host host : lab.hosts(Side.CORE)) {
            if (!host.name().equals("gw")) {
                pinged.add(ping(host, CampusLab.GATEWAY_IP));
            }
        }
        pinged.addAll(parallel(lab.hosts(Side.CORE).stream().filter(h -> h.name().startsWith("d")).toList(),
                d -> ping(d, CampusLab.SERVER_IP)));
        pingCheck("pings to the gateway and the server", pinged);

        sleepUntil(begin, 0.3);
        List<Host> desktops = lab.hosts(Side.CORE).stream().filter(h -> h.name().startsWith("d")).toList();
        parallel(desktops, d -> {
            nmblookup(d, "-B", CampusLab.BROADCAST, SERVER_NAME);
            return nmblookup(d, "-B", CampusLab.BROADCAST, MISSING_NAME);
        });
        List<Boolean> answered = parallel(leasedClients, this::unicastQueryAnswered);
        long yes = answered.stream().filter(b -> b).count();
        report.check(yes == leasedClients.size() && yes > 0, "NetBIOS unicast name queries (nmblookup -U "
                + CampusLab.SERVER_IP + " " + SERVER_NAME + "): " + yes + " of " + leasedClients.size()
                + " clients answered");

        sleepUntil(begin, 0.5);
        Host gateway = lab.host("gw");
        exec(gateway, "ip", "neigh", "flush", "all");
        pingCheck("the gateway, its cache flushed, pings every client",
                parallel(leasedClients, c -> ping(gateway, leases.get(c.name()))));
    }

    private void stopDaemonsOfPhase() {
        for (Process process : phaseDaemons) {
            lab.stop(process);
        }
        phaseDaemons.clear();
    }

    private void connect(Phase phase) throws InterruptedException, IOException {
        if (phase.config == null) {
            lab.bridgeInKernel(true);
            report.info("ip -n " + lab.bridgeNamespace() + " link add " + CampusLab.KERNEL_BRIDGE
                    + " type bridge; ap0 and core0 are its ports");
            return;
        }
        Path config = Files.writeString(folder.file("campus-" + phase.name().toLowerCase(Locale.ROOT) + ".yaml"),
                phase.config);
        List<String> argv = installation.command("run", "-c", config.toString());
        report.info("quietbridge run -c " + config + " in " + lab.bridgeNamespace() + ":");
        for (String line : phase.config.strip().lines().skip(1).toList()) {
            report.info("  " + line);
        }
        long begin = System.nanoTime();
        bridge = lab.start(lab.bridgeNamespace(), argv.toArray(String[]::new));
        bridgeOutput = ProcessOutput.of(bridge);
        Optional<String> ready = bridgeOutput.await(line -> line.startsWith(LabDemo.READINESS), READY_LIMIT);
        if (ready.isEmpty()) {
            throw new LabException("quietbridge did not start: " + bridgeOutput.lastLine());
        }
        report.info("forwarding after " + seconds(begin));
    }

    private void disconnect(Phase phase) throws InterruptedException {
        if (phase.config == null) {
            lab.bridgeInKernel(false);
            return;
        }
        lab.stop(bridge);
        bridgeOutput.awaitClosed(OUTPUT_LIMIT);
        for (String line : bridgeOutput.lines()) {
            if (line.startsWith("quietbridge: failover: the data plane stood still")) {
                report.info(line.substring("quietbridge: ".length()));
            } else if (line.startsWith("quietbridge: arp mode=")) {
                report.info(line.substring("quietbridge: ".length()));
            } else if (line.startsWith("quietbridge: port ")) {
                Matcher drop = DROPPED.matcher(line);
                List<String> drops = new ArrayList<>();
                while (drop.find()) {
                    drops.add(drop.group());
                }
                report.info(line.split(" ")[2] + " dropped: " + (drops.isEmpty() ? "nothing" : String.join(" ", drops)));
            }
        }
        bridge = null;
    }

    /** Every host pings every other host once, from flushed neighbour caches, all hosts at the same time. */
    private void allPairsPing() throws InterruptedException {
        Map<Host, String> addresses = new LinkedHashMap<>();
        for (Host host : lab.hosts()) {
            String address = host.ipv4().orElse(leases.get(host.name()));
            if (address != null) {
                addresses.put(host, address);
            }
        }
        List<Host> hosts = List.copyOf(addresses.keySet());
        parallel(hosts, host -> exec(host, "ip", "neigh", "flush", "all"));
        String ping = HostTool.PING.require() + " -c 1 -W 3 -q $a >/dev/null 2>&1";
        List<List<String>> outcomes = parallel(hosts, host -> {
            String targets = hosts.stream().filter(h -> h != host).map(addresses::get).collect(Collectors.joining(" "));
            CommandResult result = lab.exec(host.namespace(), Duration.ofSeconds(240), "sh", "-c",
                    "for a in " + targets + "; do " + ping + " || { " + ping + " && echo again $a || echo lost $a; };"
                            + " done");
            return result.stdout().lines().map(line -> line + " from " + host.name()).toList();
        });
        List<String> lost = outcomes.stream().flatMap(List::stream).filter(l -> l.startsWith("lost ")).toList();
        long again = outcomes.stream().flatMap(List::stream).filter(l -> l.startsWith("again ")).count();
        int pairs = hosts.size() * (hosts.size() - 1);
        report.check(lost.isEmpty(), "all pairs ping, every neighbour cache flushed: " + (pairs - lost.size())
                + " of " + pairs + " answered" + (again == 0 ? "" : " (" + again + " only to a second echo request)")
                + (lost.isEmpty() ? "" : "; not: " + String.join(", ", lost.subList(0, Math.min(10, lost.size())))));
    }

    /**
     * The roaming client leaves the wireless, and its address turns up on a desktop on the core side (a
     * laptop docks): its first ARP request from there moves the binding, and the gateway and a wireless client
     * reach the address at its new place at once.
     */
    private void movedAddress() {
        String address = leases.get(ROAMER);
        if (address == null) {
            report.fail("moved address: " + ROAMER + " has no lease to move");
            return;
        }
        Host roamer = lab.host(ROAMER);
        Host dock = lab.host(DOCK);
        exec(roamer, "ip", "-4", "addr", "flush", "dev", Lab.HOST_DEVICE);
        exec(dock, "ip", "addr", "add", address + "/24", "dev", Lab.HOST_DEVICE);
        exec(dock, "ip", "neigh", "flush", "all");
        boolean docked = ping(dock, CampusLab.GATEWAY_IP, "-I", address) > 0;
        Host watched = lab.host(WATCHED);
        exec(watched, "ip", "neigh", "flush", "all");
        boolean fromGateway = ping(lab.host("gw"), address) > 0;
        boolean fromClient = ping(watched, address) > 0;
        report.check(docked && fromGateway && fromClient, "moved address: " + address + " left " + ROAMER
                + " (behind the AP) for " + DOCK + " (core); " + DOCK + " reaches the gateway from it: " + yesNo(docked)
                + ", the gateway reaches it: " + yesNo(fromGateway) + ", " + WATCHED + " reaches it: "
                + yesNo(fromClient));
        exec(dock, "ip", "addr", "del", address + "/24", "dev", Lab.HOST_DEVICE);
    }

    private void result() {
        report.step("What reached " + WATCHED + " (broadcast and multicast frames in " + window.toSeconds() + " s)");
        CampusTally off = tallies.get(Phase.OFF);
        List<String> header = new ArrayList<>(List.of("", "total", "per minute"));
        for (CampusTally.Kind kind : CampusTally.Kind.values()) {
            header.add(kind.label());
        }
        header.addAll(List.of("from AP side", "removed"));
        List<List<String>> rows = new ArrayList<>(List.of(header));
        for (Map.Entry<Phase, CampusTally> entry : tallies.entrySet()) {
            CampusTally t = entry.getValue();
            List<String> row = new ArrayList<>(List.of(entry.getKey().label, Integer.toString(t.total()),
                    Long.toString(Math.round(t.total() * 60.0 / window.toSeconds()))));
            for (CampusTally.Kind kind : CampusTally.Kind.values()) {
                row.add(Integer.toString(t.count(kind)));
            }
            row.add(Integer.toString(t.fromPeer()));
            row.add(entry.getKey() == Phase.OFF ? "" : percentRemoved(off, t) + "%");
            rows.add(row);
        }
        for (String line : DemoReport.aligned(rows)) {
            report.info(line);
        }
        CampusTally all = tallies.get(Phase.ALL);
        if (off == null || all == null || off.total() == 0) {
            report.fail("no figure: a phase did not complete");
            return;
        }
        int removed = percentRemoved(off, all);
        report.check(removed >= GOAL_PERCENT, "everything on: " + removed + "% fewer broadcast and multicast frames"
                + " reach " + WATCHED + " than without quietbridge (goal: at least " + GOAL_PERCENT
                + "%; OIT's filtering at the core: 45-50%)");
    }

    private void cleanUp() {
        if (bridge != null) {
            lab.stop(bridge);
        }
        for (Process process : phaseDaemons) {
            lab.stop(process);
        }
        for (Process process : daemons) {
            lab.stop(process);
        }
        try {
            if (lab != null) {
                lab.close();
            } else {
                CampusLab.destroy(prefix);
            }
            if (folder != null) {
                folder.delete();
            }
        } catch (RuntimeException e) {
            report.fail("cleanup: " + oneLine(e.getMessage()) + "; remove the rest with: quietbridge lab down --prefix "
                    + prefix);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    static int percentRemoved(CampusTally without, CampusTally with) {
        return (int) Math.floor(100.0 * (without.total() - with.total()) / without.total());
    }

    private String lease(Host client) {
        CommandResult result = lab.exec(client.namespace(), COMMAND_LIMIT, HostTool.BUSYBOX.require(), "udhcpc",
                "-i", Lab.HOST_DEVICE, "-f", "-q", "-n", "-t", "5", "-T", "1", "-s", udhcpcScript.toString());
        Matcher lease = LEASE.matcher(result.stdout() + result.stderr());
        return result.succeeded() && lease.find() ? lease.group(1) : null;
    }

    private boolean unicastQueryAnswered(Host client) throws InterruptedException {
        long deadline = System.nanoTime() + ANSWER_LIMIT.toNanos();
        while (true) {
            CommandResult result = lab.exec(client.namespace(), COMMAND_LIMIT, HostTool.NMBLOOKUP.require(),
                    "-s", clientConf.toString(), "-U", CampusLab.SERVER_IP, SERVER_NAME);
            if (result.succeeded() && result.stdout().contains(CampusLab.SERVER_IP + " " + SERVER_NAME + "<00>")) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(500); // nmbd answers for its name once it has registered it
        }
    }

    private CommandResult nmblookup(Host host, String... args) {
        List<String> argv = new ArrayList<>(List.of(HostTool.NMBLOOKUP.require(), "-s", clientConf.toString()));
        argv.addAll(List.of(args));
        return lab.exec(host.namespace(), COMMAND_LIMIT, argv.toArray(String[]::new));
    }

    /**
     * One echo request, and a second when the first got no answer (frames a stall of the data plane's thread
     * left in the take-back margin are lost: docs/ARCHITECTURE.md, "Failover").
     *
     * @return 1 answered at once, 2 answered the second time, 0 not answered
     */
    private int ping(Host from, String address, String... options) {
        List<String> argv = new ArrayList<>(List.of(HostTool.PING.require(), "-c", "1", "-W", "3", "-q"));
        argv.addAll(List.of(options));
        argv.add(address);
        for (int attempt = 1; attempt <= 2; attempt++) {
            if (lab.exec(from.namespace(), COMMAND_LIMIT, argv.toArray(String[]::new)).succeeded()) {
                return attempt;
            }
        }
        return 0;
    }

    /** A check over pings from {@link #ping}: "what: N of M answered (K only to a second echo request)". */
    private void pingCheck(String what, List<Integer> answers) {
        long answered = answers.stream().filter(a -> a > 0).count();
        long again = answers.stream().filter(a -> a == 2).count();
        report.check(answered == answers.size() && !answers.isEmpty(), what + ": " + answered + " of " + answers.size()
                + " answered" + (again == 0 ? "" : " (" + again + " only to a second echo request)"));
    }

    private Process mdns(Host host, int intervalSeconds) {
        String address = host.ipv4().orElse(leases.get(host.name()));
        long count = window.toSeconds() / intervalSeconds;
        return drained(lab.start(host.namespace(), HostTool.PYTHON3.require(), "-c", MDNS_SENDER, address,
                Long.toString(count), Integer.toString(intervalSeconds)));
    }

    private CommandResult exec(Host host, String... argv) {
        String[] full = argv.clone();
        if (full[0].equals("ip")) {
            full[0] = HostTool.IP.require();
        }
        return lab.exec(host.namespace(), COMMAND_LIMIT, full).orThrow();
    }

    /** Reads a process's output so it never blocks on a full pipe. */
    private static Process drained(Process process) {
        ProcessOutput.of(process);
        return process;
    }

    private void sleepUntil(long begin, double fraction) throws InterruptedException {
        long until = begin + (long) (window.toNanos() * fraction);
        long left = until - System.nanoTime();
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));
        }
    }

    @FunctionalInterface
    private interface Task<T, R> {
        R apply(T item) throws Exception;
    }

    /** {@code task} on every item at once, each on a virtual thread; the results in the items' order. */
    private static <T, R> List<R> parallel(List<T> items, Task<T, R> task) throws InterruptedException {
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<R>> futures = new ArrayList<>();
            for (T item : items) {
                Callable<R> call = () -> task.apply(item);
                futures.add(executor.submit(call));
            }
            List<R> results = new ArrayList<>(items.size());
            for (Future<R> future : futures) {
                try {
                    results.add(future.get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    throw new LabException(cause.toString(), cause);
                }
            }
            return results;
        }
    }

    private static String kinds(CampusTally tally) {
        List<String> parts = new ArrayList<>();
        for (CampusTally.Kind kind : CampusTally.Kind.values()) {
            parts.add(kind.label() + " " + tally.count(kind));
        }
        return String.join(", ", parts);
    }

    private static String netbiosName(Host host) {
        return "QB" + host.name().toUpperCase(Locale.ROOT);
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }

    private static String seconds(long sinceNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - sinceNanos) / 1e9);
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
