package org.quietbridge.bridge.forward;

import java.util.List;
import java.util.Objects;

/**
 * The data plane's tunables.
 *
 * @param fdbMaxEntries MAC table limit; new addresses past it are flooded, not learned
 * @param fdbAgingNanos how long a learned address lives without traffic (IEEE 802.1Q default 300 s)
 * @param linkLocal what to do with 01:80:c2:00:00:0X frames
 * @param batchSize most frames taken from one RX ring per round
 * @param staticMacs entries that never age or move
 * @param nlb NLB flood containment (off unless configured)
 * @param storm storm control's limits (none unless configured)
 * @param arp ARP flood containment (off unless configured)
 */
public record BridgeSettings(int fdbMaxEntries, long fdbAgingNanos, LinkLocalPolicy linkLocal, int batchSize,
        List<StaticMac> staticMacs, NlbSettings nlb, StormSettings storm, ArpSettings arp) {

    public static final int DEFAULT_FDB_MAX_ENTRIES = 16_384;
    public static final long DEFAULT_FDB_AGING_NANOS = 300_000_000_000L;
    public static final int DEFAULT_BATCH_SIZE = 256;

    public BridgeSettings {
        staticMacs = List.copyOf(staticMacs);
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive");
        }
        Objects.requireNonNull(nlb, "nlb");
        Objects.requireNonNull(storm, "storm");
        Objects.requireNonNull(arp, "arp");
    }

    /** Without storm control or ARP containment. */
    public BridgeSettings(int fdbMaxEntries, long fdbAgingNanos, LinkLocalPolicy linkLocal, int batchSize,
            List<StaticMac> staticMacs, NlbSettings nlb) {
        this(fdbMaxEntries, fdbAgingNanos, linkLocal, batchSize, staticMacs, nlb, StormSettings.none(),
                ArpSettings.off(fdbAgingNanos));
    }

    /** Without NLB containment (it stays off). */
    public BridgeSettings(int fdbMaxEntries, long fdbAgingNanos, LinkLocalPolicy linkLocal, int batchSize,
            List<StaticMac> staticMacs) {
        this(fdbMaxEntries, fdbAgingNanos, linkLocal, batchSize, staticMacs, NlbSettings.off(fdbAgingNanos));
    }

    /** The same settings with other NLB settings. */
    public BridgeSettings withNlb(NlbSettings next) {
        return new BridgeSettings(fdbMaxEntries, fdbAgingNanos, linkLocal, batchSize, staticMacs, next, storm, arp);
    }

    /** The same settings with other storm-control limits. */
    public BridgeSettings withStorm(StormSettings next) {
        return new BridgeSettings(fdbMaxEntries, fdbAgingNanos, linkLocal, batchSize, staticMacs, nlb, next, arp);
    }

    /** The same settings with other ARP containment settings. */
    public BridgeSettings withArp(ArpSettings next) {
        return new BridgeSettings(fdbMaxEntries, fdbAgingNanos, linkLocal, batchSize, staticMacs, nlb, storm, next);
    }

    public static BridgeSettings defaults() {
        return new BridgeSettings(DEFAULT_FDB_MAX_ENTRIES, DEFAULT_FDB_AGING_NANOS, LinkLocalPolicy.FORWARD,
                DEFAULT_BATCH_SIZE, List.of());
    }

    /** A static MAC table entry: (mac, vlan) lives on port index {@code port}; vlan -1 = untagged. */
    public record StaticMac(long mac, int vlan, int port) {
    }
}
