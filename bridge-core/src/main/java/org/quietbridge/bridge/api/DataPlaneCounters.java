package org.quietbridge.bridge.api;

import java.util.List;
import java.util.Objects;

import org.quietbridge.bridge.forward.FailoverCounter;
import org.quietbridge.bridge.forward.FdbCounter;
import org.quietbridge.bridge.forward.LoadCounter;
import org.quietbridge.bridge.forward.PortCounter;
import org.quietbridge.frame.Malformation;

/**
 * Every counter of the data plane, read at one moment (each counter on its own: the data plane
 * keeps counting while they are read, so two of them may be a frame apart).
 *
 * <p>Immutable: the arrays are copied in and never handed out.
 */
public final class DataPlaneCounters {
    private final long monotonicMillis;
    private final List<Port> ports;
    private final long[] fdb;
    private final long[] malformed;
    private final long[] load;
    private final long[] failover;
    private final boolean kernelForwards;
    private final long reloads;
    private final long reloadFailures;
    private final long dataPlaneErrors;

    /**
     * @param monotonicMillis when the counters were read, on a monotonic clock in milliseconds
     *     (only differences mean anything: the dashboard divides counter deltas by them)
     * @param ports per port, in port-number order
     * @param fdb indexed by {@link FdbCounter#id()}
     * @param malformed indexed by {@link Malformation#ordinal()}
     * @param load indexed by {@link LoadCounter#id()}
     * @param failover indexed by {@link FailoverCounter#id()}
     * @param kernelForwards whether the kernel's stand-in forwards at this moment
     * @param reloads configuration reloads that were applied
     * @param reloadFailures reloads that were rejected
     * @param dataPlaneErrors errors the data-plane thread survived
     */
    public DataPlaneCounters(long monotonicMillis, List<Port> ports, long[] fdb, long[] malformed, long[] load,
            long[] failover, boolean kernelForwards, long reloads, long reloadFailures, long dataPlaneErrors) {
        if (fdb.length != FdbCounter.values().length) {
            throw new IllegalArgumentException("fdb counters: " + fdb.length + ", expected " + FdbCounter.values().length);
        }
        if (malformed.length != Malformation.values().length) {
            throw new IllegalArgumentException("malformed counters: " + malformed.length + ", expected "
                    + Malformation.values().length);
        }
        if (load.length != LoadCounter.values().length) {
            throw new IllegalArgumentException("load counters: " + load.length + ", expected "
                    + LoadCounter.values().length);
        }
        this.monotonicMillis = monotonicMillis;
        this.ports = List.copyOf(ports);
        this.fdb = fdb.clone();
        this.malformed = malformed.clone();
        this.load = load.clone();
        if (failover.length != FailoverCounter.values().length) {
            throw new IllegalArgumentException("failover counters: " + failover.length + ", expected "
                    + FailoverCounter.values().length);
        }
        this.failover = failover.clone();
        this.kernelForwards = kernelForwards;
        this.reloads = reloads;
        this.reloadFailures = reloadFailures;
        this.dataPlaneErrors = dataPlaneErrors;
    }

    public long monotonicMillis() {
        return monotonicMillis;
    }

    public List<Port> ports() {
        return ports;
    }

    public long fdb(FdbCounter counter) {
        return fdb[counter.id()];
    }

    public long malformed(Malformation reason) {
        return malformed[reason.ordinal()];
    }

    /** How busy the data-plane thread was, in total. */
    public long load(LoadCounter counter) {
        return load[counter.id()];
    }

    /** What the data plane did with the kernel's stand-in, in total. */
    public long failover(FailoverCounter counter) {
        return failover[counter.id()];
    }

    /** Whether the kernel's stand-in forwarded when the counters were read. */
    public boolean kernelForwards() {
        return kernelForwards;
    }

    public long reloads() {
        return reloads;
    }

    public long reloadFailures() {
        return reloadFailures;
    }

    public long dataPlaneErrors() {
        return dataPlaneErrors;
    }

    /** One port's counters. */
    public static final class Port {
        private final String name;
        private final long[] values;

        /** @param values indexed by {@link PortCounter#id()} */
        public Port(String name, long[] values) {
            if (values.length != PortCounter.values().length) {
                throw new IllegalArgumentException("port counters: " + values.length + ", expected "
                        + PortCounter.values().length);
            }
            this.name = Objects.requireNonNull(name, "name");
            this.values = values.clone();
        }

        public String name() {
            return name;
        }

        public long get(PortCounter counter) {
            return values[counter.id()];
        }
    }
}
