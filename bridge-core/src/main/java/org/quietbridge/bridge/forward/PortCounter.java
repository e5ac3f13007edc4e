package org.quietbridge.bridge.forward;

/**
 * The counters the data plane keeps for each port. Ids and labels are stable: metrics names
 * and dashboards depend on them.
 *
 * <p>Frames are the frames on the wire: a GSO/GRO super-frame counts as the segments it stands for,
 * and its bytes as theirs (each with its own headers), in every frame counter.
 */
public enum PortCounter {
    RX_FRAMES(0, "rx_frames", "frames received"),
    RX_BYTES(1, "rx_bytes", "bytes received"),
    TX_FRAMES(2, "tx_frames", "frames sent"),
    TX_BYTES(3, "tx_bytes", "bytes sent"),
    /** Received frames to a broadcast or multicast MAC. */
    RX_BROADCAST_MULTICAST(4, "rx_broadcast_multicast", "broadcast/multicast frames received"),
    /** Received broadcast/multicast frames that were forwarded (not dropped by a rule). */
    FORWARDED_BROADCAST_MULTICAST(5, "forwarded_broadcast_multicast", "broadcast/multicast frames forwarded"),
    DROP_RULE(6, "drop_rule", "dropped by a rule"),
    /** Destination learned on the ingress port: the frame stays on its own segment. */
    DROP_SAME_PORT(7, "drop_same_port", "filtered: destination on the ingress port"),
    DROP_TOO_BIG(8, "drop_too_big", "dropped: larger than the egress MTU or TX slot"),
    /** The ring slot held less than the frame (tp_snaplen < tp_len): never forwarded cut. */
    DROP_TRUNCATED(9, "drop_truncated", "dropped: truncated by the RX ring"),
    DROP_RUNT(10, "drop_runt", "dropped: shorter than a MAC header"),
    DROP_TX_RING_FULL(11, "drop_tx_ring_full", "dropped: egress TX ring full"),
    DROP_LINK_LOCAL(12, "drop_link_local", "dropped: IEEE 802.1D link-local frame"),
    DROP_NLB_CONTAINED(13, "drop_nlb_contained", "NLB cluster frames kept off this port's far side"),
    MALFORMED(14, "malformed", "frames that could not be decoded in full"),
    CHECKSUM_COMPLETED(15, "checksum_completed", "L4 checksums completed (TP_STATUS_CSUM_NOT_READY)"),
    CHECKSUM_UNFIXABLE(16, "checksum_unfixable", "frames with an unfinished checksum that could not be completed"),
    FLOODED(17, "flooded", "frames flooded to all other ports"),
    /** The kernel's own drops (PACKET_STATISTICS tp_drops): the RX ring was full when the frame came. */
    DROP_RX_RING_FULL(18, "drop_rx_ring_full", "dropped by the kernel: the RX ring was full"),
    /** GSO/GRO super-frames; rx_frames counts the segments each stands for. */
    RX_SUPER_FRAMES(19, "rx_super_frames", "GSO/GRO super-frames received (rx_frames counts their segments)"),
    /** TPACKET_V3 only (PACKET_STATISTICS tp_freeze_q_cnt): every block waited for the bridge. */
    RX_RING_FREEZES(20, "rx_ring_freezes", "times every RX block waited for the bridge (TPACKET_V3)"),
    /**
     * Frames the kernel's stand-in forwarded while the data plane stood still, found in the RX ring when it
     * took the ports back: sending them again would duplicate them.
     */
    DROP_FORWARDED_BY_KERNEL(21, "drop_forwarded_by_kernel",
            "dropped: the kernel had forwarded them while the data plane stood still"),
    /** Frames to this port while its interface was gone (deleted, not yet back). */
    DROP_PORT_GONE(22, "drop_port_gone", "dropped: the port's interface was gone"),
    /** The port's interface was deleted (or replaced by another of its name). */
    VANISHED(23, "vanished", "times the port's interface was deleted"),
    /** The port was opened again on a new interface of its name. */
    REOPENED(24, "reopened", "times the port was opened again on a new interface of its name"),
    /** The port's carrier went away (link_state: propagate watches it). */
    CARRIER_LOST(25, "carrier_lost", "times the port lost carrier"),
    /** link_state: propagate set this port administratively down because another port lost carrier. */
    HELD_DOWN(26, "held_down", "times the port was set down because another port lost carrier"),
    /** Frames over a storm-control limit of this (ingress) port, dropped. */
    DROP_STORM(27, "drop_storm", "dropped: over a storm-control limit"),
    /** ARP containment: a broadcast request whose target is on this (the requester's) port. */
    DROP_ARP_SAME_SIDE(28, "drop_arp_same_side", "filtered: an ARP request for an address on the requester's own port");

    private final int id;
    private final String label;
    private final String help;

    PortCounter(int id, String label, String help) {
        this.id = id;
        this.label = label;
        this.help = help;
    }

    public int id() {
        return id;
    }

    public String label() {
        return label;
    }

    /** Whether it counts events of the port's interface (vanished, reopened, carrier), not frames. */
    public boolean isEvent() {
        return this == VANISHED || this == REOPENED || this == CARRIER_LOST || this == HELD_DOWN;
    }

    public String help() {
        return help;
    }

    static {
        PortCounter[] all = values();
        for (int i = 0; i < all.length; i++) {
            if (all[i].id != i) {
                throw new ExceptionInInitializerError("PortCounter ids must equal ordinals: " + all[i]);
            }
        }
    }
}
