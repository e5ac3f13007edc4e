package org.quietbridge.cli.demo;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.quietbridge.bridge.forward.PortCounter;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.HostTool;
import org.quietbridge.lab.Lab;
import org.quietbridge.lab.LabException;
import org.quietbridge.lab.LabOptions;
import org.quietbridge.lab.Role;

/**
 * {@code quietbridge lab demo}: builds the namespace lab, runs the real bridge in it as its own
 * process, sends real traffic through it, and tells what happened.
 *
 * <ol>
 *   <li>the lab: client host {@code ap}, bridge namespace {@code br}, server host {@code core};</li>
 *   <li>{@code quietbridge run} in {@code br}, until its readiness line; tcpdump on both hosts;</li>
 *   <li>ping from ap to core: unicast, and the ARP broadcast before it, cross;</li>
 *   <li>nmbd in core serves the name {@value LabFolder#NETBIOS_NAME}: a broadcast query from ap
 *       gets no answer (dropped), a unicast query does; mausezahn sends NetBIOS datagram
 *       broadcasts (UDP 138);</li>
 *   <li>mausezahn sends mDNS, LLMNR, SSDP and DHCP from ap; the two captures show, kind by kind,
 *       what was sent and what reached the other side;</li>
 *   <li>iperf3 for 3 s from ap to core;</li>
 *   <li>the bridge stops on SIGTERM; its summary becomes a table of its counters;</li>
 *   <li>cleanup: every process stopped, the namespaces and the lab's folder removed (unless
 *       {@code --keep}).</li>
 * </ol>
 * A failed check prints one {@code FAIL} line and the demo goes on; a failed setup step (the
 * bridge or a daemon that does not start) prints one {@code FAIL} line and skips to the cleanup.
 * Either way the exit code is 1. {@link #interrupt(String)}, from a SIGINT or SIGTERM handler,
 * skips to the cleanup too, and so does a watchdog when the steps take longer than 45 s.
 */
public final class LabDemo {
    public static final String DEFAULT_PREFIX = "qbdemo";
    /** Printed by {@code quietbridge run} once it forwards (RunCommand). */
    static final String READINESS = "quietbridge: forwarding between";

    private static final int PINGS = 3;
    private static final int CRAFTED_FRAMES = 3;
    private static final int IPERF_SECONDS = 3;
    private static final int IPERF_PORT = 5201;
    /** For all steps up to the cleanup, which then has 15 s (at most 3 s per process it stops). */
    private static final Duration TIME_LIMIT = Duration.ofSeconds(45);
    private static final Duration BRIDGE_READY_LIMIT = Duration.ofSeconds(20);
    private static final Duration DAEMON_READY_LIMIT = Duration.ofSeconds(10);
    private static final Duration ARRIVAL_LIMIT = Duration.ofSeconds(3);
    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(10);
    private static final Duration IPERF_LIMIT = Duration.ofSeconds(IPERF_SECONDS + 12L);
    private static final Duration OUTPUT_LIMIT = Duration.ofSeconds(3);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration EXIT_GRACE = Duration.ofSeconds(1);
    private static final String PAYLOAD = "quietbridge lab demo";

    /** A UDP frame that mausezahn crafts from the client host. */
    private record Crafted(TrafficKind kind, String sourceIp, int sourcePort, String destinationIp, int destinationPort,
            String destinationMac) {
    }

    private final String prefix;
    private final boolean keep;
    private final Installation installation;
    private final Path cwd;
    private final DemoReport report;
    /** The processes this demo started and has not stopped yet, with a name for the report. */
    private final Map<Process, String> started = new LinkedHashMap<>();

    /** The thread that runs the demo; guarded by this, as is {@link #cleaningUp}. */
    private Thread runner;
    private volatile String interruptedBy;
    private boolean cleaningUp;

    private Lab lab;
    private LabFolder folder;
    private Process bridge;
    private ProcessOutput bridgeOutput;
    private Process apCapture;
    private Process coreCapture;
    private ProcessOutput apCaptured;
    private ProcessOutput coreCaptured;

    /**
     * @param prefix       the lab's prefix: namespaces {@code <prefix>-ap}, {@code -br}, {@code -core}
     * @param keep         leave the lab in place at the end (its processes are stopped either way)
     * @param installation how to start quietbridge again, as the bridge process
     * @param out          where the narrative goes
     */
    public LabDemo(String prefix, boolean keep, Installation installation, PrintWriter out) {
        this.prefix = prefix;
        this.keep = keep;
        this.installation = installation;
        this.cwd = Path.of("").toAbsolutePath();
        this.report = new DemoReport(out);
    }

    /**
     * Checks, before anything is built, that the demo can run here.
     *
     * @throws LabException one line: not root, programs missing (with the packages to install),
     *                      or a lab of that prefix exists already
     */
    public void checkHost() {
        if (!Lab.runningAsRoot()) {
            throw new LabException("lab demo needs root: it creates network namespaces and veth links; run it with sudo");
        }
        HostTool.requireAll("lab demo", HostTool.DEMO, " (./demo does that)");
        List<String> present = Lab.existingNamespaces(prefix);
        if (!present.isEmpty()) {
            throw new LabException("lab " + prefix + " exists already (" + String.join(", ", present)
                    + "): remove it with 'quietbridge lab down --prefix " + prefix + "', or pick another --prefix");
        }
    }

    /**
     * Stops the demo from another thread (a signal handler): the step under way is cut short and
     * the demo goes straight to its cleanup. A second call, or one during the cleanup, only
     * records the signal.
     */
    public synchronized void interrupt(String signal) {
        if (interruptedBy == null) {
            interruptedBy = signal;
        }
        if (runner != null && !cleaningUp) {
            runner.interrupt();
        }
    }

    /** From here on nothing interrupts the demo's thread: what remains to do must not be cut short. */
    private synchronized void enterCleanup() {
        cleaningUp = true;
        Thread.interrupted();
    }

    /**
     * Runs the demo, cleanup included.
     *
     * @return 0 when every check passed, 1 otherwise (or when interrupted)
     * @throws LabException from {@link #checkHost()}, before anything is built
     */
    public int run() {
        synchronized (this) {
            runner = Thread.currentThread();
        }
        long begin = System.nanoTime();
        checkHost();
        folder = LabFolder.of(prefix);
        report.line("quietbridge lab demo: the real bridge inline between two hosts, with real traffic"
                + " (lab " + prefix + "; nothing leaves its namespaces)");
        report.line("");
        // The demo takes about 10 s; whatever hangs, it ends within a minute, cleanup included.
        Thread watchdog = Thread.ofVirtual().name("lab-demo-time-limit").start(() -> {
            try {
                Thread.sleep(TIME_LIMIT);
                interrupt("over its " + TIME_LIMIT.toSeconds() + " s limit");
            } catch (InterruptedException finished) {
                // the demo ended in time
            }
        });
        try {
            buildLab();
            startBridge();
            ping();
            netbios();
            otherBroadcastAndMulticast();
            throughput();
            stopBridge();
        } catch (Abort e) {
            if (interruptedBy == null) {
                report.fail(e.getMessage());
            }
        } catch (LabException e) {
            if (interruptedBy == null) {
                report.fail(oneLine(e.getMessage())); // one line that names the command and what it said
            }
        } catch (InterruptedException | RuntimeException e) {
            if (interruptedBy == null) {
                report.fail("unexpected failure: " + oneLine(e.toString()));
            }
        } finally {
            enterCleanup();
            watchdog.interrupt();
            if (interruptedBy != null) {
                report.interrupted(interruptedBy);
            }
            cleanUp();
        }
        report.line("");
        report.line(report.verdict(Duration.ofNanos(System.nanoTime() - begin)));
        return interruptedBy == null && report.failures() == 0 ? 0 : 1;
    }

    // ---- the steps --------------------------------------------------------------------------

    private void buildLab() {
        report.step("Lab: three network namespaces, one Ethernet segment cut in two by " + ns(Role.BR));
        lab = Lab.create(prefix, LabOptions.defaults().withRemoveOnExit(!keep));
        int width = ns(Role.CORE).length();
        report.info(String.format(Locale.ROOT, "%-" + width + "s  eth0 %s/24  %s  a client, as behind a wireless AP",
                ns(Role.AP), lab.ipv4(Role.AP), lab.mac(Role.AP)));
        report.info(String.format(Locale.ROOT, "%-" + width + "s  %-36s  quietbridge runs here; until it does,"
                + " nothing crosses", ns(Role.BR), Lab.AP_PORT + " <-> " + Lab.CORE_PORT + ", no addresses"));
        report.info(String.format(Locale.ROOT, "%-" + width + "s  eth0 %s/24  %s  a server, as on the campus core",
                ns(Role.CORE), lab.ipv4(Role.CORE), lab.mac(Role.CORE)));
    }

    private void startBridge() throws InterruptedException {
        Path config = installation.example("lab.yaml").orElseGet(folder::writeBridgeConfig);
        List<String> argv = installation.command("run", "-c", config.toString());
        report.step("Bridge: quietbridge run -c " + Installation.shortest(config, cwd) + ", as its own process in "
                + ns(Role.BR));
        report.info("$ ip netns exec " + ns(Role.BR) + " " + displayed(argv));
        long begin = System.nanoTime();
        bridge = track("quietbridge", lab.start(Role.BR, argv.toArray(String[]::new)));
        bridgeOutput = ProcessOutput.of(bridge);
        Optional<String> ready = bridgeOutput.await(line -> line.startsWith(READINESS), BRIDGE_READY_LIMIT);
        if (ready.isEmpty()) {
            throw new Abort("quietbridge did not start: " + (hasExited(bridge)
                    ? "it exited with status " + exitStatus(bridge)
                    : "no readiness line after " + BRIDGE_READY_LIMIT.toSeconds() + " s") + lastLine(bridgeOutput));
        }
        report.check(true, "ready after " + seconds(begin) + ": " + ready.get().strip());

        String filter = "(arp or udp) and (ether src " + lab.mac(Role.AP) + " or ether src " + lab.mac(Role.CORE) + ")";
        apCapture = startCapture(Role.AP, filter);
        apCaptured = ProcessOutput.of(apCapture);
        coreCapture = startCapture(Role.CORE, filter);
        coreCaptured = ProcessOutput.of(coreCapture);
        awaitListening(Role.AP, apCapture, apCaptured);
        awaitListening(Role.CORE, coreCapture, coreCaptured);
        report.info("tcpdump listens on eth0 in " + ns(Role.AP) + " and in " + ns(Role.CORE)
                + ": what each host sends, and what reaches it (step 5)");
    }

    private void ping() {
        String core = lab.ipv4(Role.CORE);
        report.step("Unicast crosses: ping from " + ns(Role.AP) + " to " + core);
        CommandResult result = lab.exec(Role.AP, COMMAND_LIMIT, HostTool.PING.require(), "-c", Integer.toString(PINGS),
                "-i", "0.2", "-W", "2", core);
        Optional<PingStatistics> stats = PingStatistics.parse(result.stdout());
        if (stats.isEmpty()) {
            report.fail("ping: no summary (exit " + result.exitCode() + ")" + firstLine(result));
            return;
        }
        PingStatistics s = stats.get();
        String rtt = s.averageRttMillis().isPresent()
                ? String.format(Locale.ROOT, ", rtt avg %.2f ms", s.averageRttMillis().getAsDouble()) : "";
        report.check(s.allAnswered(), "ping: " + s.received() + " of " + s.transmitted() + " echo replies" + rtt
                + (s.allAnswered() ? "" : "; quietbridge must forward unicast"));
    }

    private void netbios() throws InterruptedException {
        String name = LabFolder.NETBIOS_NAME;
        String core = lab.ipv4(Role.CORE);
        report.step("NetBIOS: nmbd serves the name " + name + " in " + ns(Role.CORE));
        String smbConf = folder.writeSambaConfig().toString();
        long begin = System.nanoTime();
        Process nmbd = track("nmbd", lab.start(Role.CORE, HostTool.NMBD.require(), "-F", "--no-process-group",
                "--debug-stdout", "-s", smbConf, "-l", folder.sambaLogFolder().toString()));
        ProcessOutput nmbdOutput = ProcessOutput.of(nmbd);
        long deadline = begin + DAEMON_READY_LIMIT.toNanos();
        while (!NameQueryAnswer.parse(nameQuery(Role.CORE, smbConf, "-U", core).stdout(), name).answered()) {
            if (!nmbd.isAlive()) {
                throw new Abort("nmbd exited with status " + exitStatus(nmbd) + lastLine(nmbdOutput));
            }
            if (System.nanoTime() > deadline) {
                throw new Abort("nmbd did not answer for " + name + " in " + ns(Role.CORE) + " after "
                        + DAEMON_READY_LIMIT.toSeconds() + " s" + lastLine(nmbdOutput));
            }
            Thread.sleep(POLL);
        }
        report.info("nmbd is up after " + seconds(begin) + ": it answers a query for " + name + " in " + ns(Role.CORE));

        CommandResult broadcast = nameQuery(Role.AP, smbConf, "-B", Lab.IPV4_BROADCAST);
        NameQueryAnswer broadcastAnswer = NameQueryAnswer.parse(broadcast.stdout(), name);
        String broadcastQuery = "broadcast query, nmblookup -B " + Lab.IPV4_BROADCAST + " " + name + ": ";
        if (broadcastAnswer.answered()) {
            report.fail(broadcastQuery + "answered (" + broadcastAnswer.text() + "); quietbridge must drop it");
        } else if (broadcast.stdout().contains("failed to find name")) {
            report.check(true, broadcastQuery + "no answer: quietbridge dropped the query");
        } else {
            report.fail(broadcastQuery + "nmblookup failed (exit " + broadcast.exitCode() + ")" + firstLine(broadcast));
        }

        CommandResult unicast = nameQuery(Role.AP, smbConf, "-U", core);
        NameQueryAnswer unicastAnswer = NameQueryAnswer.parse(unicast.stdout(), name);
        String unicastQuery = "unicast query, nmblookup -U " + core + " " + name + ": ";
        if (unicastAnswer.answered()) {
            report.check(true, unicastQuery + "answered, " + unicastAnswer.text());
        } else {
            report.fail(unicastQuery + "no answer; quietbridge must forward unicast NetBIOS" + firstLine(unicast));
        }

        Crafted datagram = new Crafted(TrafficKind.NETBIOS_DATAGRAM_BROADCAST, lab.ipv4(Role.AP), 138,
                Lab.IPV4_BROADCAST, 138, "ff:ff:ff:ff:ff:ff");
        send(datagram);
        report.info("mausezahn sent " + CRAFTED_FRAMES + " NetBIOS datagrams (udp 138) to " + Lab.IPV4_BROADCAST
                + " from " + ns(Role.AP) + "; step 5 shows where they went");
    }

    private void otherBroadcastAndMulticast() throws InterruptedException {
        String ap = lab.ipv4(Role.AP);
        List<Crafted> crafted = List.of(
                new Crafted(TrafficKind.MDNS, ap, 5353, "224.0.0.251", 5353, "01:00:5e:00:00:fb"),
                new Crafted(TrafficKind.LLMNR, ap, 49152, "224.0.0.252", 5355, "01:00:5e:00:00:fc"),
                new Crafted(TrafficKind.SSDP, ap, 49153, "239.255.255.250", 1900, "01:00:5e:7f:ff:fa"),
                new Crafted(TrafficKind.DHCP, "0.0.0.0", 68, "255.255.255.255", 67, "ff:ff:ff:ff:ff:ff"));
        report.step("What crossed: mausezahn sends " + CRAFTED_FRAMES + " mDNS, LLMNR, SSDP and DHCP frames from "
                + ns(Role.AP) + "; tcpdump on both hosts counts");
        for (Crafted frame : crafted) {
            send(frame);
        }
        // The bridge forwards a port's frames in order: once the last frames that must pass are
        // in, the earlier ones that had to be dropped would be in too, had they crossed.
        long deadline = System.nanoTime() + ARRIVAL_LIMIT.toNanos();
        while (!allArrived() && System.nanoTime() < deadline) {
            Thread.sleep(POLL);
        }
        // A capture that ended by itself (killed, or its interface gone) would make every kind
        // look unsent or lost: say so once instead.
        for (Role host : List.of(Role.AP, Role.CORE)) {
            Process capture = host == Role.AP ? apCapture : coreCapture;
            if (!capture.isAlive()) {
                throw new Abort("tcpdump in " + ns(host) + " ended early (exit status " + exitStatus(capture) + ")"
                        + lastLine(host == Role.AP ? apCaptured : coreCaptured));
            }
        }
        stopCapture(apCapture, apCaptured);
        stopCapture(coreCapture, coreCaptured);
        String apMac = lab.mac(Role.AP);
        String coreMac = lab.mac(Role.CORE);
        report.checkCaptures(ns(Role.AP), ns(Role.CORE), CaptureTally.of(apCaptured.lines(), apMac),
                CaptureTally.of(coreCaptured.lines(), apMac), CaptureTally.of(coreCaptured.lines(), coreMac),
                CaptureTally.of(apCaptured.lines(), coreMac));
    }

    private void throughput() throws InterruptedException {
        String core = lab.ipv4(Role.CORE);
        report.step("Throughput: iperf3, TCP from " + ns(Role.AP) + " to " + core + " for " + IPERF_SECONDS + " s");
        Process server = track("iperf3 -s", lab.start(Role.CORE, HostTool.IPERF3.require(), "-s", "-1", "-B", core, "-p",
                Integer.toString(IPERF_PORT)));
        ProcessOutput serverOutput = ProcessOutput.of(server);
        long deadline = System.nanoTime() + DAEMON_READY_LIMIT.toNanos();
        while (lab.exec(Role.CORE, COMMAND_LIMIT, HostTool.SS.require(), "-Hltn", "sport", "=", ":" + IPERF_PORT)
                .stdout().isBlank()) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                throw new Abort("the iperf3 server in " + ns(Role.CORE) + " did not listen on port " + IPERF_PORT
                        + lastLine(serverOutput));
            }
            Thread.sleep(POLL);
        }
        CommandResult client = lab.exec(Role.AP, IPERF_LIMIT, HostTool.IPERF3.require(), "-c", core, "-p",
                Integer.toString(IPERF_PORT), "-t", Integer.toString(IPERF_SECONDS), "-f", "m");
        OptionalDouble rate = Iperf3Rate.megabitsPerSecond(client.stdout());
        if (client.succeeded() && rate.isPresent() && rate.getAsDouble() > 0) {
            report.check(true, String.format(Locale.ROOT, "iperf3: %.0f Mbit/s received by %s", rate.getAsDouble(),
                    ns(Role.CORE)));
        } else {
            report.fail("iperf3 failed (exit " + client.exitCode() + ")" + firstLine(client));
        }
        stop(server);
    }

    private void stopBridge() throws InterruptedException {
        report.step("Counters: quietbridge stops on SIGTERM and prints its summary");
        int status = stop(bridge);
        bridgeOutput.awaitClosed(OUTPUT_LIMIT);
        BridgeSummary summary = BridgeSummary.parse(bridgeOutput.lines());
        if (summary.isEmpty()) {
            report.fail("quietbridge printed no summary (exit status " + status + ")" + lastLine(bridgeOutput));
            return;
        }
        report.check(status == 0, "quietbridge exited with status " + status);
        for (String line : DemoReport.counterTable(summary)) {
            report.info("      " + line);
        }
        for (BridgeSummary.Rule rule : summary.rules()) {
            report.info("      rule " + rule.name() + " (" + rule.action() + "): " + rule.hits() + " frames");
        }
        long dropped = summary.total(PortCounter.DROP_RULE);
        String removed = DemoReport.share(summary.totalBroadcastMulticastRemoved(),
                summary.total(PortCounter.RX_BROADCAST_MULTICAST));
        report.check(dropped > 0, "the NetBIOS rules dropped " + dropped + " frames; broadcast/multicast frames removed: "
                + removed);
        summary.ports().stream().filter(port -> port.name().equals(Lab.CORE_PORT)).findFirst()
                .filter(port -> port.get(PortCounter.DROP_RULE) > 0)
                .ifPresent(port -> report.info("      " + port.get(PortCounter.DROP_RULE) + " of them arrived on "
                        + Lab.CORE_PORT + ": nmbd's own name registrations and browser announcements"));
    }

    private void cleanUp() {
        List<String> done = new ArrayList<>();
        List<String> stopped = new ArrayList<>();
        for (Map.Entry<Process, String> process : List.copyOf(started.entrySet()).reversed()) {
            try {
                stop(process.getKey());
                stopped.add(process.getValue());
            } catch (RuntimeException e) {
                report.fail("cleanup: " + oneLine(e.getMessage()));
            }
        }
        if (!stopped.isEmpty()) {
            done.add("stopped " + String.join(", ", stopped));
        }
        if (keep && lab != null) {
            report.step("Kept (--keep): lab " + prefix + " stays up");
            done.forEach(report::info);
            report.info("run the bridge again: ip netns exec " + ns(Role.BR) + " " + installation.launcherFor(cwd)
                    + " run -c " + Installation.shortest(
                            installation.example("lab.yaml").orElse(folder.file("lab.yaml")), cwd));
            if (Files.exists(folder.file("samba/smb.conf"))) {
                report.info("nmbd again: ip netns exec " + ns(Role.CORE) + " " + HostTool.NMBD.require() + " -D -s "
                        + folder.file("samba/smb.conf") + " -l " + folder.sambaLogFolder());
            }
            report.info("remove the lab: " + installation.launcherFor(cwd) + " lab down --prefix " + prefix);
            return;
        }
        report.step("Cleanup");
        try {
            LabRemoval removal = LabRemoval.remove(prefix); // also what a half-built lab left behind
            if (lab != null) {
                lab.close(); // nothing left to remove; it takes its JVM shutdown hook away
            }
            if (!removal.nothing()) {
                done.add("removed " + removal.describe());
            }
            report.info(done.isEmpty() ? "nothing to remove" : String.join("; ", done));
        } catch (RuntimeException e) {
            report.fail("cleanup: " + oneLine(e.getMessage()) + "; remove the rest with: quietbridge lab down --prefix "
                    + prefix);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    /**
     * -B 32768: the hosts keep veth's offloads, so libpcap sizes its ring's blocks for 64 KiB
     * super-frames, and its default 2 MiB ring overflows in a burst of small frames.
     */
    private Process startCapture(Role host, String filter) {
        return track("tcpdump in " + ns(host), lab.start(host, HostTool.TCPDUMP.require(), "-i", Lab.HOST_DEVICE,
                "-n", "-e", "-q", "-t", "-l", "-B", "32768", filter));
    }

    /** tcpdump says "listening on" once its filter is attached: from then on it misses nothing. */
    private void awaitListening(Role host, Process capture, ProcessOutput output) throws InterruptedException {
        if (output.await(line -> line.startsWith("listening on"), DAEMON_READY_LIMIT).isEmpty()) {
            throw new Abort("tcpdump did not start in " + ns(host) + (hasExited(capture)
                    ? " (exit status " + exitStatus(capture) + ")" : "") + lastLine(output));
        }
    }

    /**
     * Whether the client host's capture has seen all it sent (tcpdump reads asynchronously: a
     * frame is on the wire before it is in the capture), and every frame of a kind that must pass
     * has reached the server host.
     */
    private boolean allArrived() {
        String apMac = lab.mac(Role.AP);
        CaptureTally sent = CaptureTally.of(apCaptured.lines(), apMac);
        CaptureTally reached = CaptureTally.of(coreCaptured.lines(), apMac);
        return Arrays.stream(TrafficKind.values()).allMatch(kind -> sent.count(kind) >= expectedSent(kind)
                && (!kind.mustPass() || reached.count(kind) >= sent.count(kind)));
    }

    /** How many frames of {@code kind} the client host sends at least: 1 query, 1 ARP, or the crafted burst. */
    private static int expectedSent(TrafficKind kind) {
        return switch (kind) {
            case ARP_REQUEST, NETBIOS_NAME_BROADCAST, NETBIOS_NAME_UNICAST -> 1;
            case NETBIOS_DATAGRAM_BROADCAST, MDNS, LLMNR, SSDP, DHCP -> CRAFTED_FRAMES;
        };
    }

    private void stopCapture(Process capture, ProcessOutput output) throws InterruptedException {
        stop(capture);
        output.awaitClosed(OUTPUT_LIMIT);
    }

    private CommandResult nameQuery(Role from, String smbConf, String mode, String address) {
        return lab.exec(from, COMMAND_LIMIT, HostTool.NMBLOOKUP.require(), "-s", smbConf, mode, address,
                LabFolder.NETBIOS_NAME);
    }

    private void send(Crafted frame) {
        lab.exec(Role.AP, COMMAND_LIMIT, HostTool.MAUSEZAHN.require(), Lab.HOST_DEVICE, "-q",
                "-c", Integer.toString(CRAFTED_FRAMES), "-d", "10msec",
                "-b", frame.destinationMac(), "-A", frame.sourceIp(), "-B", frame.destinationIp(),
                "-t", "udp", "sp=" + frame.sourcePort() + ",dp=" + frame.destinationPort(), "-P", PAYLOAD).orThrow();
    }

    private Process track(String name, Process process) {
        started.put(process, name);
        return process;
    }

    private int stop(Process process) {
        started.remove(process);
        return lab.stop(process);
    }

    private String ns(Role role) {
        return prefix + "-" + role.suffix();
    }

    /** The bridge's command line as a person reads it: paths below the working directory relative. */
    private String displayed(List<String> argv) {
        return argv.stream()
                .map(arg -> arg.equals(installation.classPath())
                        ? Arrays.stream(arg.split(File.pathSeparator))
                                .map(entry -> Installation.shortest(Path.of(entry), cwd))
                                .collect(Collectors.joining(File.pathSeparator))
                        : arg.startsWith("/") && !arg.equals(installation.java().toString())
                                ? Installation.shortest(Path.of(arg), cwd) : arg)
                .collect(Collectors.joining(" "));
    }

    /**
     * Whether {@code process} has ended. Its output closes a moment before the JVM reaps it, so a
     * process whose output just ended gets that moment.
     */
    private static boolean hasExited(Process process) throws InterruptedException {
        return process.waitFor(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static String exitStatus(Process process) {
        try {
            return Integer.toString(process.exitValue());
        } catch (IllegalThreadStateException stillRunning) {
            return "unknown";
        }
    }

    private static String seconds(long sinceNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - sinceNanos) / 1e9);
    }

    private static String lastLine(ProcessOutput output) {
        String line = output.lastLine();
        return line.isEmpty() ? "" : ": " + line;
    }

    private static String firstLine(CommandResult result) {
        String text = result.stderr().isBlank() ? result.stdout() : result.stderr();
        return text.lines().filter(line -> !line.isBlank()).findFirst().map(line -> ": " + line.strip()).orElse("");
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** A setup step failed: the demo cannot go on. The message is the one line the report prints. */
    private static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abort(String message) {
            super(message);
        }
    }
}
