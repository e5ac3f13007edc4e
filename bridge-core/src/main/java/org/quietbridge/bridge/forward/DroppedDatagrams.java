package org.quietbridge.bridge.forward;

import java.util.Arrays;

import org.quietbridge.frame.FrameView;

/**
 * The IPv4 datagrams whose first fragment a drop rule matched, so that their later fragments are dropped too
 * (in monitor mode: counted) on the same rule, unless a rule of their own matches them. A later fragment carries no UDP header, so no port rule can see it: without
 * this, a NetBIOS broadcast too big for one frame would leave its tail on the wire.
 *
 * <p>A datagram is named as RFC 791 names it, by source, destination, protocol and identification, and
 * here also by VLAN (two VLANs are two networks). An entry lives as long as Linux waits for a datagram's
 * fragments ({@link #LIFETIME_NANOS}, {@code net.ipv4.ipfrag_time}). The table is a fixed array with
 * linear probing over a few slots: when they are all live, the one that expires first gives way, so a
 * flood of fragmented datagrams costs memory it already has and lets old tails through, never more.
 * A later fragment that arrives before its first one (reordered) is not known yet and crosses.
 *
 * <p>Data-plane thread only; allocates nothing after construction.
 */
final class DroppedDatagrams {
    /** Entries; a power of two. */
    static final int CAPACITY = 1024;
    /** Linux's default {@code ipfrag_time}: how long a receiver keeps waiting for a datagram's fragments. */
    static final long LIFETIME_NANOS = 30_000_000_000L;
    private static final int SLOT_BITS = Integer.numberOfTrailingZeros(CAPACITY);
    private static final int PROBES = 8;
    private static final int NONE = -1;

    /** Source and destination address, the source in the high half. */
    private final long[] addresses = new long[CAPACITY];
    /** VLAN (or 0xffff untagged), protocol and identification: vlan << 32 | protocol << 16 | id. */
    private final long[] datagram = new long[CAPACITY];
    private final int[] rule = new int[CAPACITY];
    /** When the entry stops counting; 0 for an empty slot. */
    private final long[] expires = new long[CAPACITY];
    /** Whether anything was remembered since the last clear: most wires never fragment. */
    private boolean any;

    DroppedDatagrams() {
        Arrays.fill(rule, NONE);
    }

    /** Remembers that {@code ruleIndex} matched the first fragment in {@code f} at {@code now}. */
    void remember(FrameView f, int ruleIndex, long now) {
        remember(f.ipv4Source(), f.ipv4Destination(), f.ipProtocol(), f.ipv4Identification(), f.vlanId(), ruleIndex,
                now);
    }

    /** The rule that matched the first fragment of the datagram of the later fragment in {@code f}, or -1. */
    int ruleFor(FrameView f, long now) {
        return ruleFor(f.ipv4Source(), f.ipv4Destination(), f.ipProtocol(), f.ipv4Identification(), f.vlanId(), now);
    }

    /** Remembers that {@code ruleIndex} matched the first fragment of this datagram at {@code now}. */
    void remember(int source, int destination, int protocol, int identification, int vlan, int ruleIndex, long now) {
        long a = key(source, destination);
        long d = key2(protocol, identification, vlan);
        int home = slot(a, d);
        int victim = home;
        for (int i = 0; i < PROBES; i++) {
            int s = (home + i) & (CAPACITY - 1);
            boolean empty = expires[s] == 0 || expires[s] - now <= 0;
            if (!empty && addresses[s] == a && datagram[s] == d) {
                victim = s;
                break;
            }
            if (empty) {
                victim = s;
                break;
            }
            if (expires[s] - expires[victim] < 0) {
                victim = s;
            }
        }
        any = true;
        addresses[victim] = a;
        datagram[victim] = d;
        rule[victim] = ruleIndex;
        // 0 means empty: a clock that reads exactly -LIFETIME_NANOS still stores a non-zero expiry.
        long until = now + LIFETIME_NANOS;
        expires[victim] = until == 0 ? 1 : until;
    }

    /** The rule that dropped this datagram's first fragment, or -1 when none did (or it is too long ago). */
    int ruleFor(int source, int destination, int protocol, int identification, int vlan, long now) {
        if (!any) {
            return NONE;
        }
        long a = key(source, destination);
        long d = key2(protocol, identification, vlan);
        int home = slot(a, d);
        for (int i = 0; i < PROBES; i++) {
            int s = (home + i) & (CAPACITY - 1);
            if (expires[s] != 0 && expires[s] - now > 0 && addresses[s] == a && datagram[s] == d) {
                return rule[s];
            }
        }
        return NONE;
    }

    /** Forgets every datagram: rule indexes mean other rules after a reload. */
    void clear() {
        Arrays.fill(expires, 0);
        Arrays.fill(rule, NONE);
        any = false;
    }

    private static long key(int source, int destination) {
        return (long) source << 32 | (destination & 0xffff_ffffL);
    }

    private static long key2(int protocol, int identification, int vlan) {
        return (long) (vlan & 0xffff) << 32 | (long) (protocol & 0xff) << 16 | (identification & 0xffff);
    }

    private static int slot(long a, long d) {
        // Multiplication carries every input bit upwards only: the slot is taken from the top bits.
        long h = (a * 0x9E37_79B9_7F4A_7C15L ^ d) * 0xC2B2_AE3D_27D4_EB4FL;
        return (int) (h >>> (Long.SIZE - SLOT_BITS));
    }
}
