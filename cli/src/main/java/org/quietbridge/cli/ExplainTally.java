package org.quietbridge.cli;

import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.FrameView;
import org.quietbridge.frame.L2Class;
import org.quietbridge.frame.Malformation;

/**
 * The counts behind {@code explain}: per-rule hits, and the figures Princeton OIT measured for
 * its NetBIOS filter, taken over frames whose Ethernet destination is broadcast or multicast:
 * NetBIOS's share of them, ARP's share, and how many the rules remove. Allocation-free per
 * frame.
 */
final class ExplainTally {
    /** UDP ports of NetBIOS name and datagram service (RFC 1002). */
    static final int NETBIOS_NAME_PORT = 137;
    static final int NETBIOS_DATAGRAM_PORT = 138;

    private final boolean[] removes;
    final long[] ruleHits;
    long frames;
    long unmatched;
    long removed;
    long broadcast;
    long multicast;
    long groupRemoved;
    long netbiosGroup;
    long netbiosGroupRemoved;
    long netbiosUnicast;
    long netbiosUnicastRemoved;
    long arpGroup;
    long arpGroupRemoved;
    long cutBySnapLength;
    final long[] malformed = new long[Malformation.values().length];

    /** @param removes for each rule, whether a frame it matches is removed (or would be, in monitor mode) */
    ExplainTally(boolean[] removes) {
        this.removes = removes.clone();
        this.ruleHits = new long[removes.length];
    }

    /**
     * Counts one decoded frame.
     *
     * @param rule the first matching rule, or -1
     * @param cut true when the capture holds fewer bytes than the frame had
     */
    void add(FrameView frame, int rule, boolean cut) {
        frames++;
        boolean gone = false;
        if (rule < 0) {
            unmatched++;
        } else {
            ruleHits[rule]++;
            gone = removes[rule];
        }
        if (gone) {
            removed++;
        }
        if (cut) {
            cutBySnapLength++;
        }
        if (frame.malformed()) {
            malformed[frame.malformation().ordinal()]++;
        }
        L2Class destination = frame.l2Class();
        boolean group = destination != L2Class.UNICAST;
        if (destination == L2Class.BROADCAST) {
            broadcast++;
        } else if (group) {
            multicast++;
        }
        boolean netbios = isNetbios(frame);
        if (group) {
            groupRemoved += gone ? 1 : 0;
            if (netbios) {
                netbiosGroup++;
                netbiosGroupRemoved += gone ? 1 : 0;
            } else if (frame.etherType() == Ethernet.ETHERTYPE_ARP) {
                arpGroup++;
                arpGroupRemoved += gone ? 1 : 0;
            }
        } else if (netbios) {
            netbiosUnicast++;
            netbiosUnicastRemoved += gone ? 1 : 0;
        }
    }

    /** IPv4 UDP to port 137 or 138, as in OIT's filter: the destination port decides. */
    static boolean isNetbios(FrameView frame) {
        int port = frame.destinationPort();
        return frame.udp() && frame.hasPorts() && (port == NETBIOS_NAME_PORT || port == NETBIOS_DATAGRAM_PORT);
    }

    long group() {
        return broadcast + multicast;
    }

    long malformedTotal() {
        long sum = 0;
        for (long m : malformed) {
            sum += m;
        }
        return sum;
    }
}
