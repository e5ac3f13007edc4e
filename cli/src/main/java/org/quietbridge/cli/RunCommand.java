package org.quietbridge.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.quietbridge.bridge.Bridge;
import org.quietbridge.bridge.Reloader;
import org.quietbridge.bridge.api.BridgeBackend;
import org.quietbridge.bridge.api.ManagementServer;
import org.quietbridge.bridge.config.ManagementSettings;
import org.quietbridge.bridge.config.BridgeConfig;
import org.quietbridge.bridge.forward.ArpContainment;
import org.quietbridge.bridge.forward.ArpCounter;
import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.bridge.forward.DroppedFrames;
import org.quietbridge.bridge.forward.NlbCluster;
import org.quietbridge.bridge.forward.NlbClusterCounter;
import org.quietbridge.bridge.forward.NlbCounter;
import org.quietbridge.bridge.forward.NlbMode;
import org.quietbridge.bridge.forward.PortCounter;
import org.quietbridge.bridge.port.PacketRingPort;
import org.quietbridge.bridge.port.RingVersion;
import org.quietbridge.bridge.sys.NativeException;
import org.quietbridge.bridge.sys.SystemdNotifier;
import org.quietbridge.capture.PcapWriter;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.rules.CompiledRules;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quietbridge run -c FILE}: bridges the configured ports until SIGTERM or SIGINT.
 *
 * <p>Readiness: once every port forwards, one line on stderr with the word "forwarding" and
 * the port names, and {@code READY=1} to systemd when {@code NOTIFY_SOCKET} is set.
 */
@Command(name = "run", description = "Bridge the configured ports until SIGTERM or SIGINT.")
final class RunCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The YAML configuration (at least: ports: [eth1, eth2]).")
    Path config;

    @Option(names = "--monitor", description = "Drop nothing: count what the rules would drop, what NLB and ARP"
            + " containment would keep off and what storm control would drop (overrides 'mode', 'nlb.mode' and"
            + " 'arp.mode' contain or unicast, and every storm_control action).")
    boolean monitor;

    @Option(names = "--api", paramLabel = "HOST:PORT",
            description = "Where the management API and dashboard listen (overrides 'api.listen'; 'off' turns it off).")
    String apiListen;

    @Option(names = "--dump-dir", paramLabel = "DIR", defaultValue = "/var/tmp",
            description = "Where SIGUSR1 writes the last dropped frames as a pcap (default: ${DEFAULT-VALUE}).")
    Path dumpDir;

    @Option(names = "--stats-interval", paramLabel = "SECONDS", defaultValue = "60",
            description = "Seconds between the rate lines on stderr; 0 turns them off (default: ${DEFAULT-VALUE}).")
    int statsInterval;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        BridgeConfig cfg = BridgeConfig.load(InputFiles.readable(config));
        if (monitor) {
            cfg = cfg.monitorOnly();
        }
        ManagementSettings apiSettings = cfg.api();
        if (apiListen != null) {
            try {
                apiSettings = apiListen.equals("off") ? null
                        : ManagementSettings.parse(apiListen, cfg.api() == null ? null : cfg.api().token());
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--api " + e.getMessage());
            }
        }
        Bridge bridge;
        try {
            bridge = Bridge.open(cfg, new ErrorLog(err, System::nanoTime, 10_000_000_000L), line -> {
                err.println(FailureReporter.PREFIX + line);
                err.flush();
            });
        } catch (IOException e) {
            throw new BadInputException(e.getMessage(), e);
        }
        Reloader reloader = Reloader.of(bridge, config, monitor);
        CountDownLatch stop = new CountDownLatch(1);
        reloader.onResult(r -> {
            err.println(FailureReporter.PREFIX + (r.ok() ? "" : "reload failed, the running configuration stays: ")
                    + r.message());
            err.flush();
        });
        Signals.handle("HUP", () -> Thread.ofPlatform().name("quietbridge-reload").start(reloader::reload));

        Signals.handle("TERM", stop::countDown);
        Signals.handle("INT", stop::countDown);
        Signals.handle("USR1", () -> Thread.ofPlatform().name("quietbridge-dump").start(() -> dumpDropped(err, bridge)));
        Thread hook = new Thread(bridge::close, "quietbridge-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        ManagementServer api = null;
        try {
            bridge.start();
            if (apiSettings != null) {
                try {
                    api = ManagementServer.start(new BridgeBackend(bridge, Main.version(), reloader), apiSettings);
                } catch (IOException e) {
                    throw new BadInputException("api: " + e.getMessage() + " (set api.listen, or 'api: off')", e);
                }
            }
            if (bridge.fallback() != null) {
                err.println(FailureReporter.PREFIX + "failover: the kernel stands in for " + String.join(", ", cfg.ports())
                        + " whenever quietbridge does not forward for " + cfg.failover().timeoutMillis()
                        + " ms (nft table netdev " + bridge.fallback().table() + ")");
            }
            if (bridge.offloadFallback() != null) {
                err.println(FailureReporter.PREFIX + "offloads are not carried (" + bridge.offloadFallback()
                        + "): GRO is off on the ports, super-frames are dropped as truncated, partial checksums are"
                        + " completed in software (IPv4 only)");
            }
            err.println(FailureReporter.PREFIX + "forwarding between " + String.join(" and ", cfg.ports()) + " (mtu "
                    + bridge.mtu() + ", " + describeRing(cfg) + describeRules(cfg) + ", pid " + ProcessHandle.current().pid()
                    + describeStart(bridge) + ")");
            err.flush();
            if (api != null) {
                err.println(FailureReporter.PREFIX + "dashboard and API on http://" + hostPort(api.address()) + "/");
                err.flush();
            }
            notifySystemd(err, "READY=1\nSTATUS=forwarding between " + String.join(", ", cfg.ports()));
            RateLog rates = new RateLog(bridge.agent(), System.nanoTime());
            FailoverLog failoverLog = new FailoverLog(bridge.agent());
            StormLog stormLog = new StormLog(bridge.agent());
            long nextRates = statsInterval > 0 ? System.nanoTime() + statsInterval * 1_000_000_000L : Long.MAX_VALUE;
            while (!stop.await(statsInterval > 0 ? Math.min(1000, statsInterval * 1000L) : 1000, TimeUnit.MILLISECONDS)) {
                String handover = failoverLog.poll(System.nanoTime());
                if (handover != null) {
                    err.println(FailureReporter.PREFIX + handover);
                    err.flush();
                    notifySystemd(err, "STATUS=" + handover);
                }
                for (String storm : stormLog.poll()) {
                    err.println(FailureReporter.PREFIX + storm);
                    err.flush();
                }
                if (failoverLog.holdsRefused() && bridge.fallback() != null) {
                    // Someone deleted the table (nft flush ruleset, as Debian's nftables.conf starts with).
                    String repair;
                    try {
                        bridge.fallback().reinstall();
                        repair = "written again";
                    } catch (IOException e) {
                        repair = "could not be written again: " + e.getMessage();
                    }
                    err.println(FailureReporter.PREFIX + "failover: the kernel refused to hold the gate (was the"
                            + " table " + bridge.fallback().table() + " deleted?); the stand-in " + repair);
                    err.flush();
                }
                if (System.nanoTime() - nextRates >= 0) {
                    err.println(FailureReporter.PREFIX + rates.line(System.nanoTime()));
                    err.flush();
                    nextRates += statsInterval * 1_000_000_000L;
                }
                if (!bridge.isRunning()) {
                    err.println(FailureReporter.PREFIX + "the data plane stopped");
                    return ExitCode.FAILURE;
                }
            }
            notifySystemd(err, "STOPPING=1");
            err.println(FailureReporter.PREFIX + "stopping" + (bridge.fallback() == null ? ""
                    : "; the kernel forwards from now on (failover: kernel)"));
            err.flush();
            return ExitCode.OK;
        } finally {
            if (api != null) {
                api.close();
            }
            bridge.close();
            printSummary(err, bridge);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is already exiting; the hook runs close() again, which is idempotent.
            }
        }
    }

    /**
     * One line per port, then one per rule, then (unless NLB containment is off) one for the
     * NLB cluster table and one per cluster, when the bridge stops: what crossed and what was
     * kept off the wire. Stable "key=value" words so scripts (and the lab demo) can read them.
     */
    static void printSummary(PrintWriter err, Bridge bridge) {
        BridgeAgent agent = bridge.agent();
        for (int p = 0; p < agent.portCount(); p++) {
            StringBuilder line = new StringBuilder(FailureReporter.PREFIX).append("port ").append(agent.portName(p));
            for (PortCounter c : PortCounter.values()) {
                line.append(' ').append(c.label()).append('=').append(agent.counter(p, c));
            }
            err.println(line);
        }
        CompiledRules rules = agent.rules();
        for (int i = 0; i < rules.size(); i++) {
            err.println(FailureReporter.PREFIX + "rule " + rules.name(i) + " action=" + rules.effectiveAction(i).word()
                    + " hits=" + rules.hits(i));
        }
        printNlbSummary(err, agent);
        ArpContainment arp = agent.arpContainment();
        if (arp != null) {
            StringBuilder line = new StringBuilder(FailureReporter.PREFIX).append("arp mode=").append(arp.mode().word());
            for (ArpCounter c : ArpCounter.values()) {
                line.append(' ').append(c.label()).append('=').append(arp.counter(c));
            }
            err.println(line);
        }
        for (String storm : StormLog.summary(agent)) {
            err.println(FailureReporter.PREFIX + storm);
        }
        err.flush();
    }

    /**
     * SIGUSR1: asks the data plane for the frames it kept (between two rounds), then writes them
     * to a pcap in {@link #dumpDir} off the data-plane thread.
     */
    private void dumpDropped(PrintWriter err, Bridge bridge) {
        CompletableFuture<List<DroppedFrames.Frame>> frames = new CompletableFuture<>();
        BridgeAgent agent = bridge.agent();
        if (!agent.submit(() -> frames.complete(agent.droppedFrames().snapshot()))) {
            err.println(FailureReporter.PREFIX + "SIGUSR1: the data plane is busy; try again");
            err.flush();
            return;
        }
        String stamp = java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern(
                "yyyyMMdd-HHmmss"));
        Path file = dumpDir.resolve("quietbridge-dropped-" + stamp + "-" + ProcessHandle.current().pid() + ".pcap");
        try {
            List<DroppedFrames.Frame> list = frames.get(5, TimeUnit.SECONDS);
            try (PcapWriter out = PcapWriter.create(file)) {
                for (DroppedFrames.Frame f : list) {
                    out.write(f.bytes(), f.timestampNanos());
                }
            }
            err.println(FailureReporter.PREFIX + "wrote the last " + list.size() + " dropped frames to " + file);
        } catch (Exception e) {
            err.println(FailureReporter.PREFIX + "SIGUSR1: could not write " + file + ": "
                    + FailureReporter.oneLine(String.valueOf(e.getMessage())));
        }
        err.flush();
    }

    /**
     * {@code nlb mode=contain clusters=1 ...}, then per cluster
     * {@code nlb cluster 10.14.35.247 mac 02:bf:0a:0e:23:f7 ports core0 contained=.. forwarded=..
     * flooded_unknown=.. moves=.. static=false} ("vlan N" follows the IP for a tagged cluster;
     * ports is "none" while the location is unknown).
     */
    static void printNlbSummary(PrintWriter err, BridgeAgent agent) {
        if (agent.nlbMode() == NlbMode.OFF) {
            return;
        }
        StringBuilder head = new StringBuilder(FailureReporter.PREFIX).append("nlb mode=").append(agent.nlbMode().word());
        for (NlbCounter c : NlbCounter.values()) {
            head.append(' ').append(c.label()).append('=').append(agent.counter(c));
        }
        err.println(head);
        for (NlbCluster cluster : agent.nlbClusters()) {
            StringBuilder line = new StringBuilder(FailureReporter.PREFIX).append("nlb cluster ")
                    .append(Ipv4.format(cluster.ip()));
            if (cluster.vlan() >= 0) {
                line.append(" vlan ").append(cluster.vlan());
            }
            line.append(" mac ").append(Ethernet.formatMac(cluster.mac())).append(" ports ");
            if (cluster.memberPorts() == 0) {
                line.append("none");
            } else {
                StringJoiner names = new StringJoiner(",");
                for (long m = cluster.memberPorts(); m != 0; m &= m - 1) {
                    names.add(agent.portName(Long.numberOfTrailingZeros(m)));
                }
                line.append(names);
            }
            for (NlbClusterCounter c : NlbClusterCounter.values()) {
                line.append(' ').append(c.label()).append('=').append(cluster.counter(c));
            }
            line.append(" static=").append(cluster.isStatic());
            err.println(line);
        }
    }

    private static String hostPort(java.net.InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * How long the start took: from the process's start (exec) to now, and of that the warm-up of the
     * forwarding path.
     */
    private static String describeStart(Bridge bridge) {
        String warm = bridge.warmUp().describe();
        OptionalLong age = ProcessAge.millis();
        return age.isPresent() ? String.format(Locale.ROOT, ", ready %d ms after exec (%s)", age.getAsLong(), warm)
                : ", " + warm;
    }

    /** Nothing for the default TPACKET_V2 rings; "TPACKET_V3 (block timeout N ms), " otherwise. */
    private static String describeRing(BridgeConfig cfg) {
        if (cfg.ring().version() == RingVersion.V2) {
            return "";
        }
        return "TPACKET_V3 (block timeout " + (cfg.ring().blockTimeout() == PacketRingPort.KERNEL_BLOCK_TIMEOUT
                ? "chosen by the kernel" : cfg.ring().blockTimeout() + " ms") + "), ";
    }

    private static String describeRules(BridgeConfig cfg) {
        int n = cfg.ruleSet().rules().size();
        NlbMode nlb = cfg.settings().nlb().mode();
        return n + (n == 1 ? " rule" : " rules") + (cfg.ruleSet().defaultRules() ? " (default)" : "") + ", mode "
                + cfg.ruleSet().mode().word() + (nlb == NlbMode.OFF ? "" : ", nlb " + nlb.word());
    }

    private static void notifySystemd(PrintWriter err, String state) {
        try {
            SystemdNotifier.notify(state);
        } catch (NativeException e) {
            err.println(FailureReporter.PREFIX + "could not notify systemd: " + e.getMessage());
            err.flush();
        }
    }
}
