package org.quietbridge.bridge.forward;

/**
 * The bridge's MAC table (FDB): which port a (MAC, VLAN) was last seen on.
 *
 * <p>An open-addressing hash table with linear probing over primitive arrays, sized once for
 * its limit, so learning and lookup allocate nothing. Learning is per (MAC, VLAN)
 * (independent VLAN learning, IEEE 802.1Q clause 8.8). Entries age out {@code agingNanos}
 * after they were last refreshed; static entries never age and never move.
 *
 * <p>The table never grows past its limit: when it is full a new address is not learned (its
 * frames are flooded), and the caller counts that. This is the defence against MAC flooding
 * (macof): an attacker can fill the table but not evict what is in it, and never evict a
 * static entry.
 *
 * <p>Single writer: only the data-plane thread calls the mutating methods. Other threads read
 * the table through {@link #snapshot} requests that the data plane answers.
 */
public final class ForwardingTable {
    /** {@link #learn} outcomes. */
    public static final int REFRESHED = 0;
    public static final int LEARNED = 1;
    public static final int MOVED = 2;
    public static final int TABLE_FULL = 3;
    /** A static entry names another port: the static entry wins and is not moved. */
    public static final int STATIC_CONFLICT = 4;

    /** Key bit that marks a slot as used, so MAC 00:00:00:00:00:00 untagged is a valid key. */
    private static final long USED = 1L << 63;
    private static final int NO_PORT = -1;

    private final int limit;
    private final int mask;
    private final long[] keys;
    private final int[] ports;
    private final long[] lastSeen;
    private final boolean[] isStatic;
    private long agingNanos;
    private int size;
    private int staticCount;
    private int sweepCursor;

    /**
     * @param limit most entries the table holds, static ones included
     * @param agingNanos how long a learned entry lives without being refreshed
     */
    public ForwardingTable(int limit, long agingNanos) {
        if (limit < 1) {
            throw new IllegalArgumentException("FDB limit must be at least 1: " + limit);
        }
        this.limit = limit;
        int capacity = Integer.highestOneBit(Math.max(4, limit) * 2 - 1) << 1;
        this.mask = capacity - 1;
        this.keys = new long[capacity];
        this.ports = new int[capacity];
        this.lastSeen = new long[capacity];
        this.isStatic = new boolean[capacity];
        this.agingNanos = agingNanos;
    }

    /**
     * A table for {@code settings}: its limit, aging and static entries, plus the learned
     * (not static) entries of {@code previous} that are still alive, while they fit.
     */
    public static ForwardingTable of(BridgeSettings settings, ForwardingTable previous, long nowNanos) {
        ForwardingTable t = new ForwardingTable(settings.fdbMaxEntries(), settings.fdbAgingNanos());
        for (BridgeSettings.StaticMac s : settings.staticMacs()) {
            t.addStatic(s.mac(), s.vlan(), s.port());
        }
        if (previous != null) {
            previous.snapshot(nowNanos, (mac, vlan, port, isStatic, age) -> {
                if (!isStatic && t.size < t.limit && t.slotOf(key(mac, vlan)) < 0) {
                    t.learn(mac, vlan, port, nowNanos - age);
                }
            });
        }
        return t;
    }

    /** Packs a MAC (low 48 bits) and a VLAN (-1 for untagged, else 0..4095) into a key. */
    public static long key(long mac, int vlan) {
        return USED | ((long) (vlan + 1) & 0x1FFF) << 48 | (mac & 0xFFFF_FFFF_FFFFL);
    }


    private int slotOf(long key) {
        int i = LinearProbing.hash(key) & mask;
        while (keys[i] != 0) {
            if (keys[i] == key) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1 - i;
    }

    /** The port of (mac, vlan), or -1 when unknown or aged out. */
    public int lookup(long mac, int vlan, long nowNanos) {
        int slot = slotOf(key(mac, vlan));
        if (slot < 0) {
            return NO_PORT;
        }
        if (!isStatic[slot] && nowNanos - lastSeen[slot] > agingNanos) {
            return NO_PORT;
        }
        return ports[slot];
    }

    /**
     * Records that (mac, vlan) was seen on {@code port}.
     *
     * @return {@link #REFRESHED}, {@link #LEARNED}, {@link #MOVED}, {@link #TABLE_FULL} or
     *     {@link #STATIC_CONFLICT}
     */
    public int learn(long mac, int vlan, int port, long nowNanos) {
        long key = key(mac, vlan);
        int slot = slotOf(key);
        if (slot >= 0) {
            if (isStatic[slot]) {
                return ports[slot] == port ? REFRESHED : STATIC_CONFLICT;
            }
            boolean expired = nowNanos - lastSeen[slot] > agingNanos;
            lastSeen[slot] = nowNanos;
            if (ports[slot] != port) {
                ports[slot] = port;
                return expired ? LEARNED : MOVED;
            }
            return expired ? LEARNED : REFRESHED;
        }
        if (size >= limit) {
            return TABLE_FULL;
        }
        int free = -1 - slot;
        keys[free] = key;
        ports[free] = port;
        lastSeen[free] = nowNanos;
        isStatic[free] = false;
        size++;
        return LEARNED;
    }

    /**
     * Adds or replaces a static entry: it never ages and learning never moves it.
     *
     * @throws IllegalStateException when the table is full
     */
    public void addStatic(long mac, int vlan, int port) {
        long key = key(mac, vlan);
        int slot = slotOf(key);
        if (slot < 0) {
            if (size >= limit) {
                throw new IllegalStateException("FDB full (" + limit + " entries): raise fdb.max_entries");
            }
            slot = -1 - slot;
            keys[slot] = key;
            size++;
        } else if (isStatic[slot]) {
            staticCount--;
        }
        ports[slot] = port;
        isStatic[slot] = true;
        staticCount++;
    }

    /**
     * Removes up to {@code maxSlots} slots' worth of expired entries, resuming where the last
     * sweep stopped, so the data plane can age the table a little per batch.
     *
     * @return entries removed
     */
    public int sweep(long nowNanos, int maxSlots) {
        int removed = 0;
        int steps = Math.min(maxSlots, keys.length);
        for (int n = 0; n < steps; n++) {
            int i = sweepCursor;
            if (keys[i] != 0 && !isStatic[i] && nowNanos - lastSeen[i] > agingNanos) {
                removeSlot(i);
                removed++;
                // Backward shift may have moved an entry into slot i: look at it again.
                continue;
            }
            sweepCursor = (i + 1) & mask;
        }
        return removed;
    }

    /** Removes every learned entry on a port (for example when the port goes down). */
    public int flushPort(int port) {
        int removed = 0;
        for (int i = 0; i < keys.length;) {
            if (keys[i] != 0 && !isStatic[i] && ports[i] == port) {
                removeSlot(i);
                removed++;
            } else {
                i++;
            }
        }
        return removed;
    }

    /** Deletes slot i and shifts later members of its probe run back (no tombstones). */
    private void removeSlot(int i) {
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            long k = keys[j];
            if (k == 0) {
                break;
            }
            int home = LinearProbing.hash(k) & mask;
            if (LinearProbing.mayFill(hole, j, home)) {
                keys[hole] = k;
                ports[hole] = ports[j];
                lastSeen[hole] = lastSeen[j];
                isStatic[hole] = isStatic[j];
                hole = j;
            }
        }
        keys[hole] = 0;
        isStatic[hole] = false;
        size--;
    }

    public int size() {
        return size;
    }

    public int staticEntries() {
        return staticCount;
    }

    public int limit() {
        return limit;
    }

    public long agingNanos() {
        return agingNanos;
    }

    /** Changes the aging time (hot reload); takes effect on the next lookup and sweep. */
    public void agingNanos(long aging) {
        this.agingNanos = aging;
    }

    /** Visits every live entry; for the control plane's snapshots, not the hot path. */
    public void snapshot(long nowNanos, EntryVisitor visitor) {
        for (int i = 0; i < keys.length; i++) {
            long k = keys[i];
            if (k == 0) {
                continue;
            }
            long age = nowNanos - lastSeen[i];
            if (!isStatic[i] && age > agingNanos) {
                continue;
            }
            int vlan = (int) ((k >>> 48) & 0x1FFF) - 1;
            visitor.entry(k & 0xFFFF_FFFF_FFFFL, vlan, ports[i], isStatic[i], isStatic[i] ? 0 : age);
        }
    }

    /** Receives FDB entries from {@link #snapshot}. */
    @FunctionalInterface
    public interface EntryVisitor {
        void entry(long mac, int vlan, int port, boolean isStatic, long ageNanos);
    }
}
