package org.quietbridge.bridge.forward;

import java.util.ArrayList;
import java.util.List;

import org.quietbridge.frame.FrameView;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.NlbMac;

/**
 * NLB flood containment: on which ports each Microsoft NLB cluster lives, and where a frame to
 * a cluster MAC goes.
 *
 * <p>Why: a unicast-mode cluster answers ARP for its IP W.X.Y.Z with 02:bf:W:X:Y:Z, but its
 * members send from their own (or a masked 02:P:W:X:Y:Z) MAC, so no bridge ever learns
 * 02:bf:W:X:Y:Z and every frame to the cluster floods every port (Microsoft, "Network Load
 * Balancing Technical Overview"). Multicast mode (03:bf:W:X:Y:Z) and IGMP mode
 * (01:00:5e:7f:Y:Z) flood the same way on a bridge without IGMP snooping.
 *
 * <p>A cluster is keyed by (cluster IP, VLAN), the VLAN as in the MAC table (outermost tag, -1
 * untagged). It is located by evidence on an ingress port:
 * <ul>
 *   <li>ARP whose sender hardware address is an NLB MAC of the sender IP (any operation; the
 *       Ethernet source is a member's own MAC: the NLB signature). This also enters the cluster
 *       in the table.</li>
 *   <li>IPv4 whose source is a cluster's IP: members answer clients from the cluster IP.</li>
 *   <li>A masked member source MAC 02:P:W:X:Y:Z (unicast mode, heartbeats included).</li>
 *   <li>Static clusters from the configuration: their ports never age and evidence never
 *       changes them (a contradiction is counted).</li>
 * </ul>
 * IPv4 and masked-MAC evidence need the cluster in the table already. A frame to an unknown
 * 02:bf/03:bf MAC also enters the cluster (its IP is in the MAC), without a location, so that
 * its floods are counted per cluster. An IGMP-mode MAC carries only the low 16 bits of the IP, so it counts as a
 * cluster MAC only when a cluster in the table has those low bits: SSDP's 01:00:5e:7f:ff:fa
 * stays ordinary multicast unless a cluster x.x.255.250 is known.
 *
 * <p>Member ports are a set (a bitmask, bit i = port i): a cluster may span ports. Each learned
 * port ages out on its own {@code agingNanos} after its last evidence. New evidence on another
 * port adds that port rather than moving the cluster there: a host that falsely claims a
 * cluster can then only bring the flood back, never cut the cluster off. A real move costs
 * extra copies to the old port until it ages out.
 *
 * <p>The table is bounded: when it is full a new cluster is not learned (counted), except that
 * a cluster of unknown location makes room for a new one: at once for location evidence, once
 * it has been idle for the aging time for a mere destination.
 *
 * <p>Single writer: the data-plane thread calls everything but the readers marked "any
 * thread", which read what the writer publishes through {@link CounterArray}s. Nothing on the
 * per-frame path allocates.
 */
public final class NlbContainment {
    /** {@link #decide} verdicts. Not a cluster MAC: forward as before. */
    public static final int NOT_A_CLUSTER = 0;
    /** A cluster whose location is unknown: forward as before; call {@link #countFlood} if it floods. */
    public static final int UNKNOWN = 1;
    /** {@link NlbMode#MONITOR}: counted what containment would do; forward as before. */
    public static final int AS_BEFORE = 2;
    /** The frame arrived on the cluster's only member port: send it nowhere. */
    public static final int CONTAINED = 3;
    /** Send the frame to {@link #egressPorts()} only. */
    public static final int TO_MEMBERS = 4;

    private static final int NO_SLOT = -1;
    /** igmpIndex value when several clusters share an IGMP-mode MAC on a VLAN. */
    private static final int SHARED = Integer.MAX_VALUE;

    // Published per slot for other threads: [key, mac, member ports, static].
    private static final int INFO_KEY = 0;
    private static final int INFO_MAC = 1;
    private static final int INFO_MEMBERS = 2;
    private static final int INFO_STATIC = 3;
    private static final int INFO_STRIDE = 4;
    /** Published key of a free slot; a used slot's key has this bit set. */
    private static final long FREE = 0;
    private static final long PUBLISHED = 1L << 62;
    private static final int STATS_STRIDE = NlbClusterCounter.values().length;

    private final NlbMode mode;
    private final int portCount;
    private final int limit;
    private final long agingNanos;

    private final boolean[] used;
    private final int[] ip;
    private final int[] vlan;
    private final long[] mac;
    /** Learned member ports; a bit may be stale (aged) until the sweep clears it. */
    private final long[] learned;
    private final long[] staticPorts;
    /** Last evidence per (slot, port): index slot * portCount + port. */
    private final long[] lastSeen;
    /** Last frame to or evidence of the cluster: decides what may be reclaimed. */
    private final long[] lastActivity;
    /** The member ports last published (to keep the LOCATED gauge). */
    private final long[] publishedMembers;
    private final int[] freeSlots;
    private int freeCount;
    private final SlotIndex index;
    private final SlotIndex igmpIndex;
    private int size;
    private int located;
    private int sweepCursor;

    private final CounterArray info;
    private final CounterArray stats;
    private final CounterArray tableCounters = new CounterArray(NlbCounter.values().length);

    private long egress;
    private int decided = NO_SLOT;

    /**
     * @param portCount the bridge's ports (at most 64)
     * @throws IllegalArgumentException when a static cluster names a port the bridge lacks
     */
    public NlbContainment(NlbSettings settings, int portCount) {
        if (portCount < 1 || portCount > 64) {
            throw new IllegalArgumentException("1 to 64 ports: " + portCount);
        }
        this.mode = settings.mode();
        this.portCount = portCount;
        this.limit = settings.maxClusters();
        this.agingNanos = settings.agingNanos();
        this.used = new boolean[limit];
        this.ip = new int[limit];
        this.vlan = new int[limit];
        this.mac = new long[limit];
        this.learned = new long[limit];
        this.staticPorts = new long[limit];
        this.lastSeen = new long[limit * portCount];
        this.lastActivity = new long[limit];
        this.publishedMembers = new long[limit];
        this.freeSlots = new int[limit];
        for (int i = 0; i < limit; i++) {
            freeSlots[i] = limit - 1 - i; // slot 0 is handed out first
        }
        this.freeCount = limit;
        this.index = new SlotIndex(limit);
        this.igmpIndex = new SlotIndex(limit);
        this.info = new CounterArray(limit * INFO_STRIDE);
        this.stats = new CounterArray(limit * STATS_STRIDE);
        long allPorts = portCount == 64 ? -1L : (1L << portCount) - 1;
        for (NlbSettings.StaticCluster s : settings.staticClusters()) {
            if ((s.ports() & ~allPorts) != 0) {
                throw new IllegalArgumentException("static cluster " + Ipv4.format(s.ip()) + " names a port past "
                        + (portCount - 1));
            }
            int slot = find(s.ip(), s.vlan());
            if (slot == NO_SLOT) {
                slot = add(s.ip(), s.vlan(), s.mac(), 0);
            }
            staticPorts[slot] |= s.ports();
            mac[slot] = s.mac();
            info.set(slot * INFO_STRIDE + INFO_MAC, s.mac());
            info.set(slot * INFO_STRIDE + INFO_STATIC, 1);
            publishMembers(slot, staticPorts[slot]);
        }
    }

    private static long key(int clusterIp, int vlanId) {
        return ((long) (vlanId + 1) & 0x1FFF) << 32 | (clusterIp & 0xFFFF_FFFFL);
    }

    private static long igmpKey(int low16, int vlanId) {
        return ((long) (vlanId + 1) & 0x1FFF) << 16 | (low16 & 0xFFFF);
    }

    /** A unicast host address: not 0.0.0.0 (ARP probes), multicast or 255.255.255.255. */
    private static boolean isClusterAddress(int address) {
        return address != 0 && address != Ipv4.LIMITED_BROADCAST && !Ipv4.isMulticast(address);
    }

    /** Whether {@code address} on {@code vlanId} is a cluster IP the table holds. */
    public boolean isCluster(int address, int vlanId) {
        return find(address, vlanId) != NO_SLOT;
    }

    private int find(int clusterIp, int vlanId) {
        int slot = index.get(key(clusterIp, vlanId));
        return slot == SlotIndex.MISSING ? NO_SLOT : slot;
    }

    // ---- learning ---------------------------------------------------------------------------

    /** Takes the location evidence a frame carries; {@code f} arrived on port {@code in}. */
    public void learn(FrameView f, int in, long now) {
        int v = f.vlanId();
        int slot = NO_SLOT;
        if (f.arp()) {
            long sender = f.arpSenderMac();
            int senderIp = f.arpSenderIp();
            if (NlbMac.of(sender) != NlbMac.NONE && NlbMac.belongsTo(sender, senderIp)
                    && isClusterAddress(senderIp)) {
                slot = find(senderIp, v);
                if (slot == NO_SLOT) {
                    slot = addLearned(senderIp, v, sender, now, true);
                }
                if (slot != NO_SLOT) {
                    if (staticPorts[slot] == 0 && mac[slot] != sender) {
                        mac[slot] = sender; // what the cluster itself announces is the MAC to show
                        info.set(slot * INFO_STRIDE + INFO_MAC, sender);
                    }
                    seen(slot, in, now);
                }
            }
        } else if (f.ipv4() && size > 0) {
            slot = find(f.ipv4Source(), v);
            if (slot != NO_SLOT) {
                seen(slot, in, now);
            }
        }
        long src = f.sourceMac();
        if ((src >>> 40) == 0x02 && size > 0) {
            int member = find((int) src, v); // 02:P:W:X:Y:Z, P the host priority (NlbMac.isMaskedMemberSource)
            if (member != NO_SLOT && member != slot) {
                seen(member, in, now);
            }
        }
    }

    /** Evidence that the cluster in {@code slot} lives on {@code port}. */
    private void seen(int slot, int port, long now) {
        lastActivity[slot] = now;
        long bit = 1L << port;
        if (staticPorts[slot] != 0) {
            if ((staticPorts[slot] & bit) == 0) {
                tableCounters.increment(NlbCounter.STATIC_CONFLICT.id());
            }
            return;
        }
        int cell = slot * portCount + port;
        boolean fresh = (learned[slot] & bit) != 0 && now - lastSeen[cell] <= agingNanos;
        lastSeen[cell] = now;
        if (fresh) {
            return;
        }
        long before = liveMembers(slot, now) & ~bit;
        learned[slot] = before | bit; // drops stale bits too: their lastSeen is old
        tableCounters.increment(NlbCounter.LEARNED.id());
        if (before != 0) {
            stats.increment(slot * STATS_STRIDE + NlbClusterCounter.MOVES.id());
        }
        publishMembers(slot, before | bit);
    }

    // ---- forwarding -------------------------------------------------------------------------

    /**
     * Decides where a frame to {@code dst} (an NLB-form MAC, see {@link NlbMac#of}) that arrived
     * on port {@code in} goes, and counts it for its cluster.
     *
     * @return {@link #NOT_A_CLUSTER}, {@link #UNKNOWN}, {@link #AS_BEFORE}, {@link #CONTAINED}
     *     or {@link #TO_MEMBERS}
     */
    public int decide(long dst, int vlanId, int in, long now) {
        int slot;
        long members;
        if (NlbMac.of(dst) == NlbMac.IGMP) {
            int low16 = (int) (dst & 0xFFFF);
            slot = igmpIndex.get(igmpKey(low16, vlanId));
            if (slot == SlotIndex.MISSING) {
                return NOT_A_CLUSTER; // 01:00:5e:7f:Y:Z of no known cluster: ordinary multicast (SSDP)
            }
            if (slot == SHARED) {
                // Clusters that differ only above the low 16 bits share one IGMP-mode MAC: the
                // frame is for all of them. Counted on the first.
                slot = NO_SLOT;
                members = 0;
                for (int s = 0; s < limit; s++) {
                    if (used[s] && vlan[s] == vlanId && (ip[s] & 0xFFFF) == low16) {
                        slot = slot == NO_SLOT ? s : slot;
                        members |= liveMembers(s, now);
                    }
                }
            } else {
                members = liveMembers(slot, now);
            }
        } else {
            int clusterIp = (int) dst;
            slot = find(clusterIp, vlanId);
            if (slot == NO_SLOT) {
                if (!isClusterAddress(clusterIp)) {
                    return NOT_A_CLUSTER;
                }
                decided = addLearned(clusterIp, vlanId, dst, now, false);
                return UNKNOWN;
            }
            members = liveMembers(slot, now);
        }
        lastActivity[slot] = now;
        decided = slot;
        if (members == 0) {
            return UNKNOWN;
        }
        long out = members & ~(1L << in);
        egress = out;
        if (out == 0) {
            stats.increment(slot * STATS_STRIDE + NlbClusterCounter.CONTAINED.id());
            return mode == NlbMode.CONTAIN ? CONTAINED : AS_BEFORE;
        }
        stats.increment(slot * STATS_STRIDE + NlbClusterCounter.FORWARDED.id());
        return mode == NlbMode.CONTAIN ? TO_MEMBERS : AS_BEFORE;
    }

    /** The ports a {@link #TO_MEMBERS} verdict sends to (bit i = port i). */
    public long egressPorts() {
        return egress;
    }

    /** After an {@link #UNKNOWN} verdict, when the frame was flooded. */
    public void countFlood() {
        if (decided == NO_SLOT) {
            tableCounters.increment(NlbCounter.FLOODED_UNTRACKED.id());
        } else {
            stats.increment(decided * STATS_STRIDE + NlbClusterCounter.FLOODED_UNKNOWN.id());
        }
    }

    private long liveMembers(int slot, long now) {
        long members = staticPorts[slot];
        long l = learned[slot];
        int base = slot * portCount;
        while (l != 0) {
            int p = Long.numberOfTrailingZeros(l);
            l &= l - 1;
            if (now - lastSeen[base + p] <= agingNanos) {
                members |= 1L << p;
            }
        }
        return members;
    }

    // ---- aging ------------------------------------------------------------------------------

    /**
     * Clears aged member ports in up to {@code maxSlots} slots, resuming where the last sweep
     * stopped. A cluster without member ports stays in the table (with its counters), of
     * unknown location.
     */
    public void sweep(long now, int maxSlots) {
        int steps = Math.min(maxSlots, limit);
        for (int n = 0; n < steps; n++) {
            int s = sweepCursor;
            sweepCursor = s + 1 == limit ? 0 : s + 1;
            if (!used[s] || learned[s] == 0) {
                continue;
            }
            long live = liveMembers(s, now);
            long stale = learned[s] & ~live;
            if (stale != 0) {
                learned[s] &= ~stale;
                tableCounters.add(NlbCounter.AGED.id(), Long.bitCount(stale));
                publishMembers(s, live);
            }
        }
    }

    // ---- the table --------------------------------------------------------------------------

    /** Adds a cluster found by evidence or by a destination; {@link #NO_SLOT} when full. */
    private int addLearned(int clusterIp, int vlanId, long clusterMac, long now, boolean evidence) {
        if (freeCount == 0) {
            int victim = reclaimable(now, evidence);
            if (victim == NO_SLOT) {
                tableCounters.increment(NlbCounter.TABLE_FULL.id());
                return NO_SLOT;
            }
            remove(victim);
            tableCounters.increment(NlbCounter.RECLAIMED.id());
        }
        return add(clusterIp, vlanId, clusterMac, now);
    }

    /**
     * The cluster of unknown location that was active least recently, not static; for a mere
     * destination only one idle for the aging time. {@link #NO_SLOT} when there is none.
     */
    private int reclaimable(long now, boolean evidence) {
        int victim = NO_SLOT;
        for (int s = 0; s < limit; s++) {
            if (!used[s] || staticPorts[s] != 0 || liveMembers(s, now) != 0) {
                continue;
            }
            if (!evidence && now - lastActivity[s] <= agingNanos) {
                continue;
            }
            if (victim == NO_SLOT || lastActivity[s] - lastActivity[victim] < 0) {
                victim = s;
            }
        }
        return victim;
    }

    private int add(int clusterIp, int vlanId, long clusterMac, long now) {
        int slot = freeSlots[--freeCount];
        used[slot] = true;
        ip[slot] = clusterIp;
        vlan[slot] = vlanId;
        mac[slot] = clusterMac;
        learned[slot] = 0;
        staticPorts[slot] = 0;
        lastActivity[slot] = now;
        index.put(key(clusterIp, vlanId), slot);
        size++;
        reindexIgmp(clusterIp, vlanId);
        for (int c = 0; c < STATS_STRIDE; c++) {
            stats.set(slot * STATS_STRIDE + c, 0);
        }
        int at = slot * INFO_STRIDE;
        info.set(at + INFO_MAC, clusterMac);
        info.set(at + INFO_MEMBERS, 0);
        info.set(at + INFO_STATIC, 0);
        info.set(at + INFO_KEY, PUBLISHED | key(clusterIp, vlanId)); // last: readers check it before and after
        tableCounters.set(NlbCounter.CLUSTERS.id(), size);
        return slot;
    }

    private void remove(int slot) {
        info.set(slot * INFO_STRIDE + INFO_KEY, FREE); // first: readers skip the slot from here on
        publishMembers(slot, 0);
        used[slot] = false;
        learned[slot] = 0;
        index.remove(key(ip[slot], vlan[slot]));
        size--;
        reindexIgmp(ip[slot], vlan[slot]);
        freeSlots[freeCount++] = slot;
        tableCounters.set(NlbCounter.CLUSTERS.id(), size);
    }

    /** Points the IGMP-mode MAC of (ip, vlan) at its one cluster, at SHARED, or nowhere. */
    private void reindexIgmp(int clusterIp, int vlanId) {
        int low16 = clusterIp & 0xFFFF;
        int first = NO_SLOT;
        int count = 0;
        for (int s = 0; s < limit; s++) {
            if (used[s] && vlan[s] == vlanId && (ip[s] & 0xFFFF) == low16) {
                first = count == 0 ? s : first;
                count++;
            }
        }
        long k = igmpKey(low16, vlanId);
        if (count == 0) {
            igmpIndex.remove(k);
        } else {
            igmpIndex.put(k, count == 1 ? first : SHARED);
        }
    }

    private void publishMembers(int slot, long members) {
        long before = publishedMembers[slot];
        if (before == members) {
            return;
        }
        publishedMembers[slot] = members;
        info.set(slot * INFO_STRIDE + INFO_MEMBERS, members);
        if (before == 0) {
            located++;
        } else if (members == 0) {
            located--;
        }
        tableCounters.set(NlbCounter.LOCATED.id(), located);
    }

    // ---- readers ----------------------------------------------------------------------------

    public NlbMode mode() {
        return mode;
    }

    /** The most clusters the table holds. */
    public int limit() {
        return limit;
    }

    /** Aging of learned member ports, in nanoseconds. */
    public long agingNanos() {
        return agingNanos;
    }

    /** A table counter; any thread. */
    public long counter(NlbCounter counter) {
        return tableCounters.get(counter.id());
    }

    /**
     * The clusters in the table with their member ports and counters; any thread. Each entry is
     * read without a lock: a cluster replaced while it is read is left out of this snapshot.
     * Member ports are as of the last learning or sweep (a port may be listed for up to one
     * sweep after it aged out). Not for the data-plane path: it allocates.
     */
    public List<NlbCluster> clusters() {
        List<NlbCluster> out = new ArrayList<>();
        for (int slot = 0; slot < limit; slot++) {
            int at = slot * INFO_STRIDE;
            long key = info.get(at + INFO_KEY);
            if (key == FREE) {
                continue;
            }
            long clusterMac = info.get(at + INFO_MAC);
            long members = info.get(at + INFO_MEMBERS);
            boolean isStatic = info.get(at + INFO_STATIC) != 0;
            long[] counts = new long[STATS_STRIDE];
            for (int c = 0; c < STATS_STRIDE; c++) {
                counts[c] = stats.get(slot * STATS_STRIDE + c);
            }
            if (info.get(at + INFO_KEY) != key) {
                continue;
            }
            int clusterIp = (int) key;
            int vlanId = (int) ((key >>> 32) & 0x1FFF) - 1;
            out.add(new NlbCluster(clusterIp, vlanId, clusterMac, members, isStatic,
                    counts[NlbClusterCounter.CONTAINED.id()], counts[NlbClusterCounter.FORWARDED.id()],
                    counts[NlbClusterCounter.FLOODED_UNKNOWN.id()], counts[NlbClusterCounter.MOVES.id()]));
        }
        return out;
    }
}
