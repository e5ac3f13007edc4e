package org.quietbridge.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.quietbridge.bridge.forward.PortCounter;

class BridgeSummaryTest {
    /** What quietbridge run printed on stderr in a lab demo, readiness line to the end. */
    static final List<String> RUN_OUTPUT = List.of(
            "quietbridge: forwarding between ap0 and core0 (mtu 1500, 2 rules (default), mode enforce, pid 21277)",
            "quietbridge: stopping",
            "quietbridge: port ap0 rx_frames=518031 rx_bytes=784126224 tx_frames=31024 tx_bytes=2047823"
                    + " rx_broadcast_multicast=19 forwarded_broadcast_multicast=15 drop_rule=4 drop_same_port=0"
                    + " drop_too_big=0 drop_truncated=0 drop_runt=0 drop_tx_ring_full=0 drop_link_local=0"
                    + " drop_nlb_contained=0 malformed=0 checksum_completed=0 checksum_unfixable=0 flooded=15"
                    + " drop_rx_ring_full=0 rx_super_frames=0 rx_ring_freezes=0 drop_forwarded_by_kernel=0 drop_port_gone=0 vanished=0 reopened=0 carrier_lost=0 held_down=0"
                    + " drop_storm=0 drop_arp_same_side=0",
            "quietbridge: port core0 rx_frames=31043 rx_bytes=2050093 tx_frames=518027 tx_bytes=784125858"
                    + " rx_broadcast_multicast=20 forwarded_broadcast_multicast=1 drop_rule=19 drop_same_port=0"
                    + " drop_too_big=0 drop_truncated=0 drop_runt=0 drop_tx_ring_full=0 drop_link_local=0"
                    + " drop_nlb_contained=0 malformed=0 checksum_completed=0 checksum_unfixable=0 flooded=1"
                    + " drop_rx_ring_full=0 rx_super_frames=0 rx_ring_freezes=0 drop_forwarded_by_kernel=0 drop_port_gone=0 vanished=0 reopened=0 carrier_lost=0 held_down=0"
                    + " drop_storm=0 drop_arp_same_side=0",
            "quietbridge: rule netbios-broadcast-l2 action=drop hits=23",
            "quietbridge: rule netbios-broadcast-l3 action=drop hits=0",
            "quietbridge: arp mode=unicast contained=0 rewritten=3 same_side=1 flooded_unknown=2 skipped_probe=0"
                    + " skipped_gratuitous=1 skipped_unicast=4 skipped_sender_mismatch=0 skipped_nlb=0 learned=3 moved=0"
                    + " conflicts=0 aged=0 table_full=0 bindings=3",
            "quietbridge: storm port=ap0 class=broadcast pps=500 action=drop storms=0 dropped=0 logged=0");

    @Test
    void readsEveryPortLineWithItsCountersByLabel() {
        BridgeSummary summary = BridgeSummary.parse(RUN_OUTPUT);

        assertEquals(List.of("ap0", "core0"), summary.ports().stream().map(BridgeSummary.Port::name).toList());
        BridgeSummary.Port ap = summary.ports().get(0);
        assertEquals(518031, ap.get(PortCounter.RX_FRAMES));
        assertEquals(31024, ap.get(PortCounter.TX_FRAMES));
        assertEquals(19, ap.get(PortCounter.RX_BROADCAST_MULTICAST));
        assertEquals(15, ap.get(PortCounter.FORWARDED_BROADCAST_MULTICAST));
        assertEquals(4, ap.get(PortCounter.DROP_RULE));
        assertEquals(4, ap.broadcastMulticastRemoved());
        assertEquals(PortCounter.values().length, ap.counters().size());
    }

    @Test
    void readsTheRuleLinesInOrder() {
        BridgeSummary summary = BridgeSummary.parse(RUN_OUTPUT);

        assertEquals(List.of(new BridgeSummary.Rule("netbios-broadcast-l2", "drop", 23),
                new BridgeSummary.Rule("netbios-broadcast-l3", "drop", 0)), summary.rules());
    }

    @Test
    void totalsACounterOverAllPorts() {
        BridgeSummary summary = BridgeSummary.parse(RUN_OUTPUT);

        assertEquals(23, summary.total(PortCounter.DROP_RULE));
        assertEquals(39, summary.total(PortCounter.RX_BROADCAST_MULTICAST));
        assertEquals(23, summary.totalBroadcastMulticastRemoved());
    }

    @Test
    void readsACounterTheLineDoesNotNameAsZero() {
        BridgeSummary summary = BridgeSummary.parse(List.of("quietbridge: port eth1 rx_frames=7 some_future_counter=3"));

        BridgeSummary.Port port = summary.ports().getFirst();
        assertEquals(7, port.get(PortCounter.RX_FRAMES));
        assertEquals(0, port.get(PortCounter.DROP_RULE));
        assertEquals(3L, port.counters().get("some_future_counter"));
    }

    @Test
    void isEmptyWhenTheBridgeDiedBeforeItsSummary() {
        BridgeSummary summary = BridgeSummary.parse(List.of(
                "quietbridge: forwarding between ap0 and core0 (mtu 1500, 2 rules (default), mode enforce, pid 1)",
                "quietbridge: port ap0 is gone",
                "Exception in thread \"main\" java.lang.OutOfMemoryError"));

        assertTrue(summary.isEmpty());
        assertEquals(List.of(), summary.rules());
    }

    @Test
    void readsMonitorModeRulesWithTheirEffectiveAction() {
        BridgeSummary summary = BridgeSummary.parse(List.of("quietbridge: rule netbios-broadcast-l2 action=count hits=1"));

        assertEquals("count", summary.rules().getFirst().action());
    }
}
