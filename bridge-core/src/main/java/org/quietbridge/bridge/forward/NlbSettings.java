package org.quietbridge.bridge.forward;

import java.util.List;

/**
 * The tunables of NLB flood containment ({@code nlb:} in the configuration).
 *
 * @param mode off, monitor or contain
 * @param agingNanos how long a learned member port lives without new evidence
 * @param maxClusters most clusters the table holds, static ones included
 * @param staticClusters clusters whose member ports the operator pins; they never age
 */
public record NlbSettings(NlbMode mode, long agingNanos, int maxClusters, List<StaticCluster> staticClusters) {

    public static final int DEFAULT_MAX_CLUSTERS = 64;
    /** The table is scanned when it is full, so it stays small. */
    public static final int MAX_CLUSTERS_LIMIT = 4096;

    public NlbSettings {
        staticClusters = List.copyOf(staticClusters);
        if (maxClusters < 1 || maxClusters > MAX_CLUSTERS_LIMIT) {
            throw new IllegalArgumentException("max clusters must be 1.." + MAX_CLUSTERS_LIMIT + ": " + maxClusters);
        }
        if (agingNanos <= 0) {
            throw new IllegalArgumentException("aging must be positive: " + agingNanos);
        }
        if (staticClusters.size() > maxClusters) {
            throw new IllegalArgumentException(staticClusters.size() + " static clusters exceed max clusters "
                    + maxClusters);
        }
    }

    /** Containment off (the default), aging like the MAC table's. */
    public static NlbSettings off(long agingNanos) {
        return new NlbSettings(NlbMode.OFF, agingNanos, DEFAULT_MAX_CLUSTERS, List.of());
    }

    /** The same settings in another mode ({@code run --monitor} turns contain into monitor). */
    public NlbSettings withMode(NlbMode next) {
        return new NlbSettings(next, agingNanos, maxClusters, staticClusters);
    }

    /**
     * A cluster pinned to ports.
     *
     * @param ip the cluster IPv4 address W.X.Y.Z
     * @param vlan the VLAN it lives on, -1 for untagged
     * @param mac the cluster MAC to show (02:bf:W:X:Y:Z unless the operator named another form)
     * @param ports member ports as a bitmask, bit i = port i
     */
    public record StaticCluster(int ip, int vlan, long mac, long ports) {
        public StaticCluster {
            if (ports == 0) {
                throw new IllegalArgumentException("a static cluster needs at least one port");
            }
        }
    }
}
