package org.quietbridge.bridge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.quietbridge.bridge.agent.AgentRunner;
import org.quietbridge.bridge.agent.BackoffIdleStrategy;
import org.quietbridge.bridge.agent.IdleStrategy;
import org.quietbridge.bridge.config.BridgeConfig;
import org.quietbridge.bridge.config.IdleMode;
import org.quietbridge.bridge.config.RingSettings;
import org.quietbridge.bridge.failover.FallbackRules;
import org.quietbridge.bridge.failover.KernelFallback;
import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.bridge.forward.StandbyGate;
import org.quietbridge.bridge.forward.Watchdog;
import org.quietbridge.bridge.port.FramePort;
import org.quietbridge.bridge.port.PacketRingPort;
import org.quietbridge.bridge.port.PollIdleStrategy;
import org.quietbridge.bridge.port.RingGeometry;
import org.quietbridge.bridge.sys.LinuxSyscalls;
import org.quietbridge.bridge.sys.NetDeviceControl;
import org.quietbridge.bridge.sys.SystemdNotifier;
import org.quietbridge.bridge.sys.WallClock;
import org.quietbridge.rules.CompiledRules;

/**
 * A running bridge: its ports (AF_PACKET rings), their locks, the forwarding agent and the
 * thread that runs it.
 *
 * <p>{@link #open} checks everything it can before it touches an interface (privileges, that
 * each port exists and is up, equal MTUs, that no other quietbridge owns a port) and, when a
 * later step fails, undoes the earlier ones: nothing is left half-configured.
 */
public final class Bridge implements AutoCloseable {
    /** How long {@link #start} waits for the data plane to take the ports from the kernel. */
    static final long TAKE_OVER_LIMIT_MILLIS = 2_000;
    private final BridgeConfig config;
    private final BridgeAgent agent;
    private final List<PortLock> locks;
    private final PollIdleStrategy poller;
    private final AgentRunner runner;
    private final int mtu;
    private final KernelFallback fallback;
    private final SystemdNotifier.Channel watchdog;
    private final PortWatch watch;
    private WarmUp.Result warmUp;
    private boolean closed;

    private Bridge(BridgeConfig config, BridgeAgent agent, List<PortLock> locks, PollIdleStrategy poller,
            IdleStrategy idle, int mtu, KernelFallback fallback, SystemdNotifier.Channel watchdog, PortWatch watch,
            Consumer<Throwable> errors) {
        this.config = config;
        this.watch = watch;
        this.fallback = fallback;
        this.watchdog = watchdog;
        this.agent = agent;
        this.locks = locks;
        this.poller = poller;
        this.mtu = mtu;
        this.runner = new AgentRunner(agent, idle, errors);
    }

    /**
     * Opens every port of {@code config} and builds the bridge; {@link #start} then forwards.
     *
     * @param errors receives what the data-plane thread throws (it keeps running)
     * @throws IOException with a one-line message an operator can act on
     */
    public static Bridge open(BridgeConfig config, Consumer<Throwable> errors) throws IOException {
        return open(config, errors, line -> {
        });
    }

    /**
     * {@link #open(BridgeConfig, Consumer)}, with {@code events} receiving one line per port event (an
     * interface gone or back, a carrier lost or back), from the port watch's thread.
     */
    public static Bridge open(BridgeConfig config, Consumer<Throwable> errors, Consumer<String> events)
            throws IOException {
        checkPrivileges();
        int mtu = checkInterfaces(config.ports());
        CompiledRules rules = config.compileRules();
        List<PortLock> locks = new ArrayList<>();
        List<PacketRingPort> ports = new ArrayList<>();
        PollIdleStrategy poller = null;
        StandbyGate gate = null;
        SystemdNotifier.Channel watchdog = null;
        try {
            for (String name : config.ports()) {
                locks.add(PortLock.acquire(name));
            }
            // The kernel's stand-in first: it forwards while the rings open and the data plane starts, and
            // the data plane takes over with its first hold (docs/ARCHITECTURE.md, "Failover").
            KernelFallback fallback = null;
            if (config.failover().kernel()) {
                fallback = new KernelFallback(config.ports(), config.failover());
                fallback.install(FallbackRules.of(config.ruleSet(), config.settings().linkLocal()));
                gate = fallback.gate();
            } else {
                KernelFallback.remove(config.ports());
            }
            // The forwarding path compiled before the rings open: a burst at READY finds no interpreter.
            // Its idle strategy is of the class the data plane's is, but for "block", whose poll would sleep.
            // Its rules are a compilation of their own: its hits are not the bridge's.
            WarmUp.Result warm = WarmUp.run(config.settings(), config.compileRules(), config.ring(),
                    config.idle() == IdleMode.SPIN ? IdleStrategy.busySpin() : new BackoffIdleStrategy(),
                    config.ports().size(), mtu, WarmUp.DEFAULT_FRAMES);
            RingSettings ring = config.ring();
            RingGeometry geometry = RingGeometry.forMtu(mtu, ring.frames());
            for (String name : config.ports()) {
                ports.add(PacketRingPort.open(name, geometry, ring.version(), ring.blockTimeout(), ring.offloads()));
            }
            PacketRingPort[] array = ports.toArray(new PacketRingPort[0]);
            IdleStrategy idle = switch (config.idle()) {
                case SPIN -> IdleStrategy.busySpin();
                case BACKOFF -> new BackoffIdleStrategy();
                // A silent wire must not let the gate expire: sleep at most a quarter of its timeout.
                case BLOCK -> poller = new PollIdleStrategy(config.failover().kernel()
                        ? Math.min(PollIdleStrategy.TIMEOUT_MILLIS, config.failover().timeoutMillis() / 4)
                        : PollIdleStrategy.TIMEOUT_MILLIS, array);
            };
            BridgeAgent agent = new BridgeAgent(array, config.settings(), rules, BridgeAgent.MONOTONIC);
            if (gate != null) {
                agent.standby(gate, new WallClock());
            }
            watchdog = systemdWatchdog(agent);
            PortWatch watch = new PortWatch(agent, ports, poller, fallback, geometry, ring, mtu,
                    config.propagateLinkState(), events);
            Bridge bridge = new Bridge(config, agent, locks, poller, idle, mtu, fallback, watchdog, watch, errors);
            bridge.warmUp = warm;
            return bridge;
        } catch (IOException | RuntimeException e) {
            for (FramePort p : ports) {
                p.close();
            }
            if (gate != null) {
                gate.close();
            }
            if (watchdog != null) {
                watchdog.close();
            }
            if (poller != null) {
                poller.close();
            }
            for (PortLock l : locks) {
                try {
                    l.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * systemd's watchdog ({@code WatchdogSec=}: {@code $WATCHDOG_USEC}, for this process when
     * {@code $WATCHDOG_PID} says so or is unset), pinged by the data plane a third of the period apart;
     * null when there is none.
     */
    private static SystemdNotifier.Channel systemdWatchdog(BridgeAgent agent) throws IOException {
        String socket = System.getenv("NOTIFY_SOCKET");
        String usec = System.getenv("WATCHDOG_USEC");
        String pid = System.getenv("WATCHDOG_PID");
        if (socket == null || socket.isEmpty() || usec == null || usec.isEmpty()
                || (pid != null && !pid.isEmpty() && !pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            return null;
        }
        long period;
        try {
            period = Long.parseLong(usec) * 1000;
        } catch (NumberFormatException e) {
            throw new IOException("WATCHDOG_USEC is not a number: " + usec);
        }
        SystemdNotifier.Channel channel = new SystemdNotifier.Channel(socket, "WATCHDOG=1");
        long interval = Math.max(1, period / 3);
        agent.watchdog(new Watchdog() {
            @Override
            public long intervalNanos() {
                return interval;
            }

            @Override
            public void ping() throws IOException {
                channel.send();
            }
        });
        return channel;
    }

    /** Root, or CAP_NET_RAW and CAP_NET_ADMIN (capabilities(7): bits 13 and 12 of CapEff). */
    private static void checkPrivileges() throws IOException {
        if (LinuxSyscalls.geteuid() == 0) {
            return;
        }
        long effective = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    effective = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            effective = 0;
        }
        long needed = (1L << 13) | (1L << 12);
        if ((effective & needed) != needed) {
            throw new IOException("quietbridge run needs root, or the capabilities CAP_NET_RAW and CAP_NET_ADMIN"
                    + " (euid " + LinuxSyscalls.geteuid() + " has " + ((effective & needed) == 0 ? "neither" : "only one")
                    + "); run it with sudo or from the systemd unit");
        }
    }

    /** Each port exists and is up, and all share one MTU; returns it. */
    private static int checkInterfaces(List<String> names) throws IOException {
        int mtu = -1;
        String first = null;
        try (NetDeviceControl control = new NetDeviceControl()) {
            for (String name : names) {
                if (LinuxSyscalls.ifNameToIndex(name) == 0) {
                    throw new IOException("no such interface: " + name + " (see: ip -br link)");
                }
                if ((control.flags(name) & org.quietbridge.bridge.sys.Ifreq.IFF_UP) == 0) {
                    throw new IOException("interface " + name + " is down; bring it up with: ip link set " + name
                            + " up");
                }
                int m = control.mtu(name);
                if (mtu < 0) {
                    mtu = m;
                    first = name;
                } else if (m != mtu) {
                    throw new IOException("MTU mismatch: " + first + " has " + mtu + ", " + name + " has " + m
                            + "; a bridge needs one MTU on every port (ip link set " + name + " mtu " + mtu + ")");
                }
            }
        }
        return mtu;
    }

    /**
     * Starts the data-plane thread, and the watch on the ports' interfaces; with the kernel's stand-in,
     * returns once the data plane has taken the ports from it (or after {@value #TAKE_OVER_LIMIT_MILLIS} ms,
     * when it could not: then the kernel goes on forwarding, and the log says why).
     */
    public void start() {
        runner.start();
        watch.start();
        if (fallback == null) {
            return;
        }
        long deadline = System.nanoTime() + TAKE_OVER_LIMIT_MILLIS * 1_000_000L;
        while (agent.kernelForwards(System.nanoTime()) && System.nanoTime() - deadline < 0 && runner.isRunning()) {
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** What the warm-up before the rings opened did. */
    public WarmUp.Result warmUp() {
        return warmUp;
    }

    public BridgeAgent agent() {
        return agent;
    }

    public BridgeConfig config() {
        return config;
    }

    public int mtu() {
        return mtu;
    }

    /**
     * Why the ports forward without virtio-net headers (GRO off, super-frames dropped, partial IPv4
     * checksums completed in software), or null when they carry offloads.
     */
    public String offloadFallback() {
        for (int i = 0; i < agent.portCount(); i++) {
            if (agent.port(i) instanceof PacketRingPort p && p.offloadFallback() != null) {
                return p.offloadFallback();
            }
        }
        return null;
    }

    /** The kernel's stand-in, or null when failover is off. */
    public KernelFallback fallback() {
        return fallback;
    }

    public boolean isRunning() {
        return runner.isRunning();
    }

    /** Errors the data-plane thread survived. */
    public long dataPlaneErrors() {
        return runner.errors();
    }

    /**
     * Stops forwarding, closes the rings (promiscuous membership ends with the sockets, GRO
     * comes back where the ports turned it off) and releases the port locks. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        watch.close(); // first: it swaps ports through the data plane, and sets up what it set down
        runner.close();
        // The runner's onClose has closed the ports if it ran; closing is idempotent.
        for (int i = 0; i < agent.portCount(); i++) {
            agent.port(i).close();
        }
        if (poller != null) {
            poller.close();
        }
        if (watchdog != null) {
            watchdog.close();
        }
        for (PortLock l : locks) {
            try {
                l.close();
            } catch (IOException ignored) {
                // The kernel releases the lock with the process anyway.
            }
        }
    }
}
