package org.quietbridge.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class DemoReportTest {
    private final StringWriter text = new StringWriter();
    private final DemoReport report = new DemoReport(new PrintWriter(text));

    @Test
    void tabulatesTheBridgeCountersPerPortAndForAllPorts() {
        List<String> table = DemoReport.counterTable(BridgeSummary.parse(BridgeSummaryTest.RUN_OUTPUT));

        assertEquals(List.of(
                "port   frames in  frames out  bcast/mcast in  forwarded  dropped by rules  bcast/mcast removed",
                "ap0       518031       31024              19         15                 4                21.1%",
                "core0      31043      518027              20          1                19                95.0%",
                "all       549074      549051              39         16                23                59.0%"), table);
    }

    @Test
    void showsADashForTheShareOfAPortThatSawNoBroadcast() {
        List<String> table = DemoReport.counterTable(BridgeSummary.parse(List.of(
                "quietbridge: port eth1 rx_frames=5 tx_frames=5 rx_broadcast_multicast=0"
                        + " forwarded_broadcast_multicast=0 drop_rule=0")));

        assertEquals(List.of(
                "port  frames in  frames out  bcast/mcast in  forwarded  dropped by rules  bcast/mcast removed",
                "eth1          5           5               0          0                 0                    -"), table);
    }

    @Test
    void givesAShareAsPartOfWholeWithAPercentage() {
        assertEquals("23 of 39 (59.0%)", DemoReport.share(23, 39));
        assertEquals("0", DemoReport.share(0, 0));
    }

    @Test
    void numbersStepsAndMarksChecksOkOrFail() {
        report.step("Unicast crosses");
        report.check(true, "ping: 3 of 3 echo replies");
        report.fail("iperf3 failed (exit 1): unable to connect");
        report.info("a note");

        assertEquals("""
                1. Unicast crosses
                   ok    ping: 3 of 3 echo replies
                   FAIL  iperf3 failed (exit 1): unable to connect
                   a note
                """, text.toString());
        assertEquals(2, report.checks());
        assertEquals(1, report.failures());
    }

    @Test
    void verdictSaysPassedOrFailed() {
        report.step("one");
        report.check(true, "fine");
        assertEquals("demo passed: all 1 checks ok in 12.3 s", report.verdict(Duration.ofMillis(12_345)));
        report.fail("broken");
        assertEquals("demo FAILED: 1 of 2 checks failed (the FAIL lines above) in 2.0 s",
                report.verdict(Duration.ofSeconds(2)));
    }

    @Test
    void verdictNamesTheSignalAndTheStepItCutShort() {
        report.step("one");
        report.check(true, "fine");
        report.step("two");
        report.interrupted("SIGINT");
        report.step("Cleanup");

        assertEquals("demo interrupted (SIGINT) in step 2 after 0.5 s; 0 of 1 checks so far failed",
                report.verdict(Duration.ofMillis(500)));
        assertEquals("   interrupted (SIGINT): cleaning up", text.toString().lines().toList().get(3));
    }

    @Test
    void comparesWhatWasSentWithWhatReachedTheOtherHostKindByKind() {
        List<String> apCapture = List.of(
                AP + " > ff:ff:ff:ff:ff:ff, ARP, length 42: Request who-has 10.77.0.20 tell 10.77.0.10, length 28",
                AP + " > ff:ff:ff:ff:ff:ff, IPv4, length 92: 10.77.0.10.46366 > 10.77.0.255.137: UDP, length 50",
                AP + " > 01:00:5e:00:00:fb, IPv4, length 62: 10.77.0.10.5353 > 224.0.0.251.5353: UDP, length 20",
                CORE + " > ff:ff:ff:ff:ff:ff, IPv4, length 92: 10.77.0.20.137 > 10.77.0.255.137: UDP, length 50");
        List<String> coreCapture = List.of(
                AP + " > ff:ff:ff:ff:ff:ff, ARP, length 42: Request who-has 10.77.0.20 tell 10.77.0.10, length 28",
                AP + " > ff:ff:ff:ff:ff:ff, IPv4, length 92: 10.77.0.10.46366 > 10.77.0.255.137: UDP, length 50",
                CORE + " > ff:ff:ff:ff:ff:ff, IPv4, length 92: 10.77.0.20.137 > 10.77.0.255.137: UDP, length 50");

        report.checkCaptures("qb-ap", "qb-core", CaptureTally.of(apCapture, AP), CaptureTally.of(coreCapture, AP),
                CaptureTally.of(coreCapture, CORE), CaptureTally.of(apCapture, CORE));

        List<String> lines = text.toString().lines().toList();
        assertEquals("         from qb-ap                      to                    sent reached", lines.get(0));
        assertEquals("   ok    ARP request (before the ping)   ff:ff:ff:ff:ff:ff        1       1  forwarded", lines.get(1));
        assertEquals("   FAIL  NetBIOS name query, broadcast   10.77.0.255:137          1       1  crossed:"
                + " quietbridge must drop it", lines.get(2));
        assertEquals("   FAIL  NetBIOS name query, unicast     10.77.0.20:137           0       0  never sent:"
                + " the demo could not send it", lines.get(3));
        assertEquals("   FAIL  mDNS                            224.0.0.251:5353         1       0  lost:"
                + " quietbridge must forward it", lines.get(5));
        assertEquals("         from qb-core (nmbd itself)", lines.get(9));
        assertEquals("   FAIL  NetBIOS broadcasts              10.77.0.255:137,138      1       1  crossed:"
                + " quietbridge must drop it", lines.get(10));
        assertEquals(11, lines.size());
        assertEquals(TrafficKind.values().length + 1, report.checks());
        assertEquals(TrafficKind.values().length - 1 + 1, report.failures());
    }

    @Test
    void aServerThatSentNoBroadcastYetIsNoFailure() {
        CaptureTally none = CaptureTally.of(List.of(), CORE);

        report.checkCaptures("qb-ap", "qb-core", none, none, none, none);

        assertEquals("         NetBIOS broadcasts              10.77.0.255:137,138      0       0  (none yet)",
                text.toString().lines().toList().getLast());
        assertEquals(TrafficKind.values().length, report.checks());
    }

    private static final String AP = "02:77:00:00:00:10";
    private static final String CORE = "02:77:00:00:00:20";
}
