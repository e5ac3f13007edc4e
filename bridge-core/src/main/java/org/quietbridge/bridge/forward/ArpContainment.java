package org.quietbridge.bridge.forward;

import java.util.ArrayList;
import java.util.List;

import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.FrameView;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.NlbMac;

/**
 * ARP flood containment: bindings of IPv4 addresses to (MAC, port) per VLAN, learned from what crosses,
 * and what becomes of each ARP frame.
 *
 * <p><b>Bindings</b> are learned from the sender of ARP requests, replies and gratuitous ARP, only where
 * the Ethernet source is the ARP sender MAC (a proxy, VRRP or NLB sender teaches nothing), never for
 * 0.0.0.0 (probes) or a group address, and never for an address NLB containment knows as a cluster. IPv4
 * from the bound MAC on the bound port refreshes a binding. New evidence always wins: the owner seen on
 * another port moves the binding (a client that roamed), another MAC claiming the address takes it over
 * (counted as a conflict). Bindings age out {@code aging} after the last evidence; the table is bounded
 * and a full table learns nothing new (counted).
 *
 * <p><b>Decisions</b> ({@link #handle}): a broadcast request for a fresh binding goes only to the
 * binding's port ({@code contain}), also rewritten to a unicast to the binding's MAC ({@code unicast});
 * a request whose target is on the requester's own port is not forwarded; a request for an unknown or
 * stale address floods. Probes, gratuitous ARP and announcements, unicast requests, replies, requests
 * whose sender MAC is not the Ethernet source, and NLB cluster addresses are never contained. {@code
 * monitor} counts what {@code contain} would do and forwards as before.
 *
 * <p>Single writer (the data-plane thread); counters may be read from any thread. Allocation-free but
 * for {@link #bindings}, which the control plane asks for through the agent's command queue.
 */
public final class ArpContainment {
    /** {@link #handle}: forward as any frame (flood, or the MAC table's port). */
    public static final int FORWARD = -1;
    /** {@link #handle}: do not forward: the target is on the requester's own port. */
    public static final int NOT_FORWARDED = -2;

    private static final int ARP_REQUEST = 1;

    private final ArpMode mode;
    private final int limit;
    private final long agingNanos;
    private final SlotIndex index;
    private final boolean[] used;
    private final int[] ip;
    private final int[] vlan;
    private final long[] mac;
    private final int[] port;
    private final long[] lastSeen;
    private final int[] freeSlots;
    private int freeCount;
    private int sweepCursor;
    private final CounterArray counters = new CounterArray(ArpCounter.values().length);
    /** The bound MAC of the last request {@link #handle} contained. */
    private long ownerMac;
    /** The outcome {@link #handle} decided last, for {@link #countDecision}. */
    private int decided;

    /**
     * @param settings the mode, size and aging (not off)
     * @param previous the containment this one replaces (a reload): its live bindings, while they fit, and
     *                 its counters go on; a binding the new aging has expired counts as {@code aged}, one that
     *                 does not fit a smaller table as {@code table_full}; or null
     * @param now      the clock
     */
    public ArpContainment(ArpSettings settings, ArpContainment previous, long now) {
        if (settings.mode() == ArpMode.OFF) {
            throw new IllegalArgumentException("ARP containment is off");
        }
        this.mode = settings.mode();
        this.limit = settings.maxBindings();
        this.agingNanos = settings.agingNanos();
        this.index = new SlotIndex(limit);
        this.used = new boolean[limit];
        this.ip = new int[limit];
        this.vlan = new int[limit];
        this.mac = new long[limit];
        this.port = new int[limit];
        this.lastSeen = new long[limit];
        this.freeSlots = new int[limit];
        for (int i = 0; i < limit; i++) {
            freeSlots[i] = limit - 1 - i;
        }
        this.freeCount = limit;
        if (previous != null) {
            for (ArpCounter c : ArpCounter.values()) {
                counters.set(c.id(), previous.counter(c));
            }
            for (int s = 0; s < previous.limit; s++) {
                if (!previous.used[s]) {
                    continue;
                }
                if (now - previous.lastSeen[s] > agingNanos) {
                    counters.increment(ArpCounter.AGED.id()); // the new aging is shorter: gone, counted as aged
                } else if (freeCount > 0) {
                    add(previous.ip[s], previous.vlan[s], previous.mac[s], previous.port[s], previous.lastSeen[s]);
                } else {
                    counters.increment(ArpCounter.TABLE_FULL.id()); // a smaller table: counted as not learned
                }
            }
            counters.set(ArpCounter.BINDINGS.id(), limit - freeCount);
        }
    }

    private static long key(int address, int vlanId) {
        return ((long) (vlanId + 1) & 0x1FFF) << 32 | (address & 0xFFFF_FFFFL);
    }

    /** A unicast host address: not 0.0.0.0, 255.255.255.255 or multicast. */
    private static boolean isHostAddress(int address) {
        return address != 0 && address != Ipv4.LIMITED_BROADCAST && !Ipv4.isMulticast(address);
    }

    public ArpMode mode() {
        return mode;
    }

    /** A counter; any thread. */
    public long counter(ArpCounter c) {
        return counters.get(c.id());
    }

    /**
     * Learns from the ARP frame {@code f} (Ethernet source {@code src} and destination {@code dst}, on
     * {@code vlanId}, arrived on port {@code in}) and decides it.
     *
     * @param nlb NLB containment, whose cluster addresses are left alone; null when off
     * @return {@link #FORWARD}, {@link #NOT_FORWARDED}, or the one port to send it to (then, in
     *     {@code unicast} mode, to {@link #ownerMac()}); the caller then counts the outcome with
     *     {@link #countDecision} unless the frame is dropped for another reason
     */
    public int handle(FrameView f, long src, long dst, int vlanId, int in, long now, NlbContainment nlb) {
        int senderIp = f.arpSenderIp();
        int targetIp = f.arpTargetIp();
        long senderMac = f.arpSenderMac();
        boolean ownSender = senderMac == src;
        boolean clusterSender = NlbMac.of(senderMac) != NlbMac.NONE || nlb != null && nlb.isCluster(senderIp, vlanId);
        if (ownSender && !clusterSender && isHostAddress(senderIp) && !Ethernet.isGroupAddress(senderMac)) {
            bind(senderIp, vlanId, senderMac, in, now);
        }
        ArpCounter outcome;
        int decision = FORWARD;
        if (senderIp == 0) {
            outcome = ArpCounter.SKIPPED_PROBE;
        } else if (senderIp == targetIp) {
            outcome = ArpCounter.SKIPPED_GRATUITOUS;
        } else if (f.arpOperation() != ARP_REQUEST || dst != Ethernet.BROADCAST_MAC) {
            outcome = ArpCounter.SKIPPED_UNICAST;
        } else if (!ownSender) {
            outcome = ArpCounter.SKIPPED_SENDER_MISMATCH;
        } else if (clusterSender || nlb != null && nlb.isCluster(targetIp, vlanId)) {
            outcome = ArpCounter.SKIPPED_NLB;
        } else {
            int slot = index.get(key(targetIp, vlanId));
            if (slot == SlotIndex.MISSING || now - lastSeen[slot] > agingNanos) {
                outcome = ArpCounter.FLOODED_UNKNOWN;
            } else if (port[slot] == in) {
                outcome = ArpCounter.SAME_SIDE;
                decision = NOT_FORWARDED;
            } else {
                outcome = mode == ArpMode.UNICAST ? ArpCounter.REWRITTEN : ArpCounter.CONTAINED;
                decision = port[slot];
                ownerMac = mac[slot];
            }
        }
        decided = outcome.id();
        return mode == ArpMode.MONITOR ? FORWARD : decision;
    }

    /**
     * Counts the outcome {@link #handle} decided for the frame, once the frame is not dropped for another
     * reason after it (storm control): a frame is counted under one reason only.
     */
    public void countDecision() {
        counters.increment(decided);
    }

    /** The bound MAC of the request {@link #handle} last sent to one port. */
    public long ownerMac() {
        return ownerMac;
    }

    /** IPv4 from a bound address, from its MAC on its port, refreshes the binding. */
    public void refresh(int sourceIp, long src, int vlanId, int in, long now) {
        int slot = index.get(key(sourceIp, vlanId));
        if (slot != SlotIndex.MISSING && mac[slot] == src && port[slot] == in) {
            lastSeen[slot] = now;
        }
    }

    private void bind(int address, int vlanId, long owner, int in, long now) {
        int slot = index.get(key(address, vlanId));
        if (slot == SlotIndex.MISSING) {
            if (freeCount == 0) {
                counters.increment(ArpCounter.TABLE_FULL.id());
                return;
            }
            add(address, vlanId, owner, in, now);
            counters.increment(ArpCounter.LEARNED.id());
            counters.set(ArpCounter.BINDINGS.id(), limit - freeCount);
            return;
        }
        boolean expired = now - lastSeen[slot] > agingNanos;
        if (mac[slot] != owner) {
            counters.increment(expired ? ArpCounter.LEARNED.id() : ArpCounter.CONFLICTS.id());
        } else if (port[slot] != in) {
            counters.increment(expired ? ArpCounter.LEARNED.id() : ArpCounter.MOVED.id());
        } else if (expired) {
            counters.increment(ArpCounter.LEARNED.id());
        }
        mac[slot] = owner;
        port[slot] = in;
        lastSeen[slot] = now;
    }

    private void add(int address, int vlanId, long owner, int in, long seen) {
        int slot = freeSlots[--freeCount];
        used[slot] = true;
        ip[slot] = address;
        vlan[slot] = vlanId;
        mac[slot] = owner;
        port[slot] = in;
        lastSeen[slot] = seen;
        index.put(key(address, vlanId), slot);
    }

    /** Forgets aged bindings in up to {@code maxSlots} slots, resuming where the last sweep stopped. */
    public void sweep(long now, int maxSlots) {
        int steps = Math.min(maxSlots, limit);
        for (int n = 0; n < steps; n++) {
            int s = sweepCursor;
            sweepCursor = s + 1 == limit ? 0 : s + 1;
            if (used[s] && now - lastSeen[s] > agingNanos) {
                used[s] = false;
                index.remove(key(ip[s], vlan[s]));
                freeSlots[freeCount++] = s;
                counters.increment(ArpCounter.AGED.id());
                counters.set(ArpCounter.BINDINGS.id(), limit - freeCount);
            }
        }
    }

    /** A binding: {@code ip} on {@code vlan} (-1 untagged) is {@code mac} on port {@code port}. */
    public record Binding(int ip, int vlan, long mac, int port, long ageNanos) {
    }

    /** The bindings alive now; data-plane thread only (it allocates: for the control plane's requests). */
    public List<Binding> bindings(long now) {
        List<Binding> out = new ArrayList<>();
        for (int s = 0; s < limit; s++) {
            if (used[s] && now - lastSeen[s] <= agingNanos) {
                out.add(new Binding(ip[s], vlan[s], mac[s], port[s], now - lastSeen[s]));
            }
        }
        return out;
    }
}
