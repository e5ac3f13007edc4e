package org.quietbridge.bridge.api;

import java.util.AbstractList;
import java.util.ArrayList;
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
import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.bridge.forward.FdbCounter;
import org.quietbridge.bridge.forward.ForwardingTable;
import org.quietbridge.bridge.forward.PortCounter;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.Malformation;
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

    /**
     * A backend over {@code bridge}; its uptime counts from now, so make it when the bridge starts.
     *
     * @param version the build's version, shown by {@code /api/status}
     */
    public BridgeBackend(Bridge bridge, String version) {
        this(bridge.agent(), version, bridge::isRunning, bridge::dataPlaneErrors, System::nanoTime);
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
            ports.add(new StatusInfo.Port(agent.portName(i), mtus[i]));
        }
        double uptime = (nanoClock.getAsLong() - startNanos) / 1e9;
        return new StatusInfo(version, uptime, ProcessHandle.current().pid(), forwarding.getAsBoolean(),
                rules.mode().word(), rules.digest(), rules.size(), ports);
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
        return new DataPlaneCounters(nanoClock.getAsLong() / 1_000_000, ports, fdb, malformed, reloads(),
                reloadFailures(), dataPlaneErrors.getAsLong());
    }

    /** Configuration reloads applied; 0 here, where nothing reloads. */
    protected long reloads() {
        return 0;
    }

    /** Configuration reloads rejected; 0 here, where nothing reloads. */
    protected long reloadFailures() {
        return 0;
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

    /** None: a bare bridge has no NLB containment. */
    @Override
    public List<NlbClusterInfo> nlb() {
        return List.of();
    }

    /** None: a bare bridge does not account drops per source MAC. */
    @Override
    public CompletableFuture<List<TopTalker>> topTalkers(int minutes, int limit) {
        return CompletableFuture.completedFuture(List.of());
    }

    /** Unavailable: a bare bridge has no reload controller. */
    @Override
    public CompletableFuture<ReloadResult> reload() {
        return CompletableFuture.completedFuture(ReloadResult.unavailable(
                "this bridge has no reload controller; restart quietbridge to apply a new configuration"));
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
