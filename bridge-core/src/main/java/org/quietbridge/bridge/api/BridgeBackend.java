package org.quietbridge.bridge.api;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.quietbridge.bridge.Bridge;
import org.quietbridge.bridge.Reloader;
import org.quietbridge.bridge.forward.ArpContainment;
import org.quietbridge.bridge.forward.ArpCounter;
import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.bridge.forward.FailoverCounter;
import org.quietbridge.bridge.forward.FdbCounter;
import org.quietbridge.bridge.forward.LoadCounter;
import org.quietbridge.bridge.forward.NlbCluster;
import org.quietbridge.bridge.forward.TopTalkers;
import org.quietbridge.bridge.forward.ForwardingTable;
import org.quietbridge.bridge.forward.PortCounter;
import org.quietbridge.bridge.forward.StormControl;
import org.quietbridge.bridge.forward.StormCounter;
import org.quietbridge.bridge.forward.StormSettings;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.Malformation;
import org.quietbridge.frame.NlbMac;
import org.quietbridge.rules.CompiledRules;

/**
 * The management API over a running {@link Bridge}: its status, counters, MAC table and rules.
 *
 * <p>Counters and rule hits are read from the management thread (the data plane publishes them
 * for any thread); the MAC table is copied by the data-plane thread itself, between two rounds,
 * through {@link BridgeAgent#submit}. That copy holds only primitives; the entries are formatted
 * when the caller reads the list, on the caller's thread.
 *
 * <p>Three things are outside what a bare bridge has, and answer here as "nothing": {@link #nlb()}
 * is empty (NLB containment keeps the per-cluster counters), {@link #topTalkers} is empty (it needs
 * per-source drop accounting in the data plane) and {@link #reload()} answers
 * {@link ReloadResult.Outcome#UNAVAILABLE} (the hot-reload controller does reloads, and counts
 * them: {@link #reloads()}, {@link #reloadFailures()}). A backend that has those parts overrides
 * these methods, with {@link #onDataPlane} for state the data-plane thread owns; this class is
 * not final for that reason.
 */
public class BridgeBackend implements ManagementBackend {
    private final BridgeAgent agent;
    private final String version;
    private final BooleanSupplier forwarding;
    private final LongSupplier dataPlaneErrors;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private final int[] mtus;
    private Reloader reloader;

    /**
     * A backend over {@code bridge}; its uptime counts from now, so make it when the bridge starts.
     *
     * @param version the build's version, shown by {@code /api/status}
     */
    public BridgeBackend(Bridge bridge, String version) {
        this(bridge.agent(), version, bridge::isRunning, bridge::dataPlaneErrors, System::nanoTime);
    }

    /**
     * A backend over {@code bridge} whose {@code POST /api/reload} goes through {@code reloader}
     * (the same one SIGHUP uses), on a thread of its own: a reload waits for the data plane,
     * which an event loop must never do.
     */
    public BridgeBackend(Bridge bridge, String version, Reloader reloader) {
        this(bridge, version);
        this.reloader = reloader;
    }

    /**
     * A backend over a bare agent (tests run one over in-memory ports).
     *
     * @param forwarding whether the data-plane thread runs
     * @param dataPlaneErrors errors the data-plane thread survived
     * @param nanoClock monotonic nanoseconds; uptime counts from its reading now
     */
    public BridgeBackend(BridgeAgent agent, String version, BooleanSupplier forwarding, LongSupplier dataPlaneErrors,
            LongSupplier nanoClock) {
        this.agent = Objects.requireNonNull(agent, "agent");
        this.version = Objects.requireNonNull(version, "version");
        this.forwarding = forwarding;
        this.dataPlaneErrors = dataPlaneErrors;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.mtus = new int[agent.portCount()];
        for (int i = 0; i < mtus.length; i++) {
            mtus[i] = agent.port(i).mtu();
        }
    }

    protected final BridgeAgent agent() {
        return agent;
    }

    @Override
    public StatusInfo status() {
        CompiledRules rules = agent.rules();
        List<StatusInfo.Port> ports = new ArrayList<>(agent.portCount());
        for (int i = 0; i < agent.portCount(); i++) {
            ports.add(new StatusInfo.Port(agent.portName(i), mtus[i], agent.portState(i).word()));
        }
        double uptime = (nanoClock.getAsLong() - startNanos) / 1e9;
        return new StatusInfo(version, uptime, ProcessHandle.current().pid(), forwarding.getAsBoolean(),
                rules.mode().word(), rules.digest(), rules.size(), ports, new StatusInfo.Failover(
                        agent.hasStandby() ? "kernel" : "off", agent.kernelForwards(nanoClock.getAsLong())));
    }

    @Override
    public DataPlaneCounters counters() {
        PortCounter[] portCounters = PortCounter.values();
        List<DataPlaneCounters.Port> ports = new ArrayList<>(agent.portCount());
        for (int p = 0; p < agent.portCount(); p++) {
            long[] values = new long[portCounters.length];
            for (PortCounter c : portCounters) {
                values[c.id()] = agent.counter(p, c);
            }
            ports.add(new DataPlaneCounters.Port(agent.portName(p), values));
        }
        long[] fdb = new long[FdbCounter.values().length];
        for (FdbCounter c : FdbCounter.values()) {
            fdb[c.id()] = agent.counter(c);
        }
        long[] malformed = new long[Malformation.values().length];
        for (Malformation m : Malformation.values()) {
            malformed[m.ordinal()] = agent.malformed(m);
        }
        long[] load = new long[LoadCounter.values().length];
        for (LoadCounter c : LoadCounter.values()) {
            load[c.id()] = agent.counter(c);
        }
        long[] failover = new long[FailoverCounter.values().length];
        for (FailoverCounter c : FailoverCounter.values()) {
            failover[c.id()] = agent.counter(c);
        }
        long now = nanoClock.getAsLong();
        return new DataPlaneCounters(now / 1_000_000, ports, fdb, malformed, load, failover, agent.kernelForwards(now),
                reloads(), reloadFailures(), dataPlaneErrors.getAsLong());
    }

    /** Configuration reloads applied; 0 without a reloader. */
    protected long reloads() {
        return reloader == null ? 0 : reloader.reloads();
    }

    /** Configuration reloads rejected; 0 without a reloader. */
    protected long reloadFailures() {
        return reloader == null ? 0 : reloader.failures();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Completes on the data-plane thread when it takes the copy; the returned list formats each
     * entry when it is read.
     */
    @Override
    public CompletableFuture<List<FdbEntry>> fdb() {
        return onDataPlane(() -> FdbCopy.take(agent.fdb(), agent.now(), this::portName));
    }

    /**
     * Runs {@code work} on the data-plane thread between two rounds, through the agent's bounded
     * command queue, and completes the future there with its result. Keep {@code work} short:
     * forwarding waits while it runs. Fails at once when the queue is full.
     */
    protected final <T> CompletableFuture<T> onDataPlane(Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        boolean queued = agent.submit(() -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        if (!queued) {
            result.completeExceptionally(new RejectedExecutionException(
                    "the data plane's command queue is full (" + BridgeAgent.COMMAND_QUEUE_LIMIT + " commands)"));
        }
        return result;
    }

    /** The name of port number {@code port}. */
    protected final String portName(int port) {
        return port >= 0 && port < agent.portCount() ? agent.portName(port) : "port" + port;
    }

    @Override
    public List<RuleInfo> rules() {
        CompiledRules rules = agent.rules();
        List<RuleInfo> out = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            out.add(new RuleInfo(rules.name(i), rules.effectiveAction(i).word(), rules.hits(i),
                    rules.describe(i).strip()));
        }
        return out;
    }

    /** The clusters NLB containment knows, from the counters it publishes (any thread). */
    @Override
    public List<NlbClusterInfo> nlb() {
        List<NlbClusterInfo> out = new ArrayList<>();
        for (NlbCluster c : agent.nlbClusters()) {
            List<String> members = new ArrayList<>();
            for (int p = 0; p < agent.portCount(); p++) {
                if ((c.memberPorts() & (1L << p)) != 0) {
                    members.add(agent.portName(p));
                }
            }
            out.add(new NlbClusterInfo(Ipv4.format(c.ip()), c.vlan(), Ethernet.formatMac(c.mac()),
                    NlbMac.of(c.mac()).name().toLowerCase(java.util.Locale.ROOT), members, c.isStatic(), c.contained(),
                    c.forwarded(), c.floodedUnknown(), c.moves()));
        }
        return out;
    }

    /** ARP containment's counters, as the data plane publishes them (any thread). */
    @Override
    public ArpInfo arp() {
        ArpContainment arp = agent.arpContainment();
        if (arp == null) {
            return ArpInfo.off();
        }
        return new ArpInfo(arp.mode().word(), arpCounters(arp), List.of());
    }

    private static Map<String, Long> arpCounters(ArpContainment arp) {
        Map<String, Long> counters = new LinkedHashMap<>();
        for (ArpCounter c : ArpCounter.values()) {
            counters.put(c.label(), arp.counter(c));
        }
        return counters;
    }

    /** ARP containment with its bindings, copied on the data-plane thread between two rounds. */
    @Override
    public CompletableFuture<ArpInfo> arpBindings() {
        return onDataPlane(() -> {
            ArpContainment arp = agent.arpContainment();
            if (arp == null) {
                return ArpInfo.off();
            }
            List<ArpInfo.Binding> out = new ArrayList<>();
            for (ArpContainment.Binding b : arp.bindings(agent.now())) {
                out.add(new ArpInfo.Binding(Ipv4.format(b.ip()), b.vlan(), Ethernet.formatMac(b.mac()),
                        portName(b.port()), b.ageNanos() / 1e9));
            }
            return new ArpInfo(arp.mode().word(), arpCounters(arp), out);
        });
    }

    /** Storm control's limits, from the counters the data plane publishes (any thread). */
    @Override
    public List<StormLimitInfo> storms() {
        StormControl storm = agent.stormControl();
        if (storm == null) {
            return List.of();
        }
        List<StormLimitInfo> out = new ArrayList<>();
        for (int b = 0; b < storm.limits().size(); b++) {
            StormSettings.Limit l = storm.limits().get(b);
            boolean active = storm.counter(b, StormCounter.ACTIVE) == 1;
            long storms = storm.counter(b, StormCounter.STORMS);
            long top = storm.counter(b, active ? StormCounter.START_SOURCE : StormCounter.END_SOURCE);
            out.add(new StormLimitInfo(agent.portName(l.port()), l.stormClass().label(), l.pps(), l.fallingPps(),
                    l.action().name().toLowerCase(java.util.Locale.ROOT), active, storms,
                    storm.counter(b, StormCounter.DROPPED), storm.counter(b, StormCounter.LOGGED),
                    storms == 0 ? null : Ethernet.formatMac(top), storm.counter(b, StormCounter.PEAK_PPS)));
        }
        return out;
    }

    /** The sources of dropped frames, ranked on the data-plane thread between two rounds. */
    @Override
    public CompletableFuture<List<TopTalker>> topTalkers(int minutes, int limit) {
        return onDataPlane(() -> {
            List<TopTalker> out = new ArrayList<>();
            for (TopTalkers.Talker t : agent.topTalkers().top(agent.now(), minutes, limit)) {
                out.add(new TopTalker(Ethernet.formatMac(t.mac()), t.droppedFrames(), t.lastRule()));
            }
            return out;
        });
    }

    /** Through the {@link Reloader}, off the event loop; unavailable without one. */
    @Override
    public CompletableFuture<ReloadResult> reload() {
        Reloader r = reloader;
        if (r == null) {
            return CompletableFuture.completedFuture(ReloadResult.unavailable(
                    "this bridge has no reload controller; restart quietbridge to apply a new configuration"));
        }
        return CompletableFuture.supplyAsync(() -> {
            Reloader.Result result = r.reload();
            String digest = agent.rules().digest();
            return result.ok() ? ReloadResult.applied(result.message(), digest)
                    : ReloadResult.rejected(result.message(), digest);
        }, task -> Thread.ofPlatform().daemon().name("quietbridge-reload").start(task));
    }

    /**
     * The MAC table as primitives, copied on the data-plane thread; entries are made when read.
     */
    private static final class FdbCopy extends AbstractList<FdbEntry> implements RandomAccess {
        private final long[] macs;
        private final int[] vlans;
        private final int[] ports;
        private final boolean[] statics;
        private final long[] ageNanos;
        private final IntFunction<String> portNames;
        private int size;

        private FdbCopy(int capacity, IntFunction<String> portNames) {
            this.macs = new long[capacity];
            this.vlans = new int[capacity];
            this.ports = new int[capacity];
            this.statics = new boolean[capacity];
            this.ageNanos = new long[capacity];
            this.portNames = portNames;
        }

        static FdbCopy take(ForwardingTable table, long now, IntFunction<String> portNames) {
            // size() counts entries that aged out but were not swept yet; snapshot skips them.
            FdbCopy copy = new FdbCopy(table.size(), portNames);
            table.snapshot(now, copy::accept);
            return copy;
        }

        private void accept(long mac, int vlan, int port, boolean isStatic, long age) {
            if (size == macs.length) {
                return;
            }
            macs[size] = mac;
            vlans[size] = vlan;
            ports[size] = port;
            statics[size] = isStatic;
            ageNanos[size] = age;
            size++;
        }

        @Override
        public FdbEntry get(int i) {
            Objects.checkIndex(i, size);
            return new FdbEntry(Ethernet.formatMac(macs[i]), vlans[i], portNames.apply(ports[i]), statics[i],
                    ageNanos[i] / 1e9);
        }

        @Override
        public int size() {
            return size;
        }
    }
}
