package org.quietbridge.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

/** ping, nmblookup and iperf3 output as the lab's tools print it (iputils, Samba 4.17, iperf 3.12). */
class ToolOutputTest {
    @Test
    void readsPingsSummaryAndAverageRoundTrip() {
        PingStatistics s = PingStatistics.parse("""
                PING 10.77.0.20 (10.77.0.20) 56(84) bytes of data.
                64 bytes from 10.77.0.20: icmp_seq=1 ttl=64 time=1.90 ms

                --- 10.77.0.20 ping statistics ---
                3 packets transmitted, 3 received, 0% packet loss, time 404ms
                rtt min/avg/max/mdev = 0.294/0.836/1.897/0.750 ms
                """).orElseThrow();

        assertEquals(3, s.transmitted());
        assertEquals(3, s.received());
        assertEquals(0.836, s.averageRttMillis().getAsDouble(), 1e-9);
        assertTrue(s.allAnswered());
    }

    @Test
    void readsAPingWithoutRepliesAsNotAllAnswered() {
        PingStatistics s = PingStatistics.parse("""
                --- 10.77.0.20 ping statistics ---
                3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2043ms
                """).orElseThrow();

        assertEquals(0, s.received());
        assertTrue(s.averageRttMillis().isEmpty());
        assertFalse(s.allAnswered());
        assertEquals(Optional.empty(), PingStatistics.parse("ping: connect: Network is unreachable\n"));
    }

    @Test
    void readsNmblookupsAnswerLines() {
        NameQueryAnswer answer = NameQueryAnswer.parse("querying QBCORE on 10.77.0.20\n10.77.0.20 QBCORE<00>\n", "QBCORE");

        assertEquals(List.of("10.77.0.20 QBCORE<00>"), answer.answers());
        assertTrue(answer.answered());
    }

    @Test
    void readsAFailedNameQueryAsNoAnswer() {
        NameQueryAnswer answer = NameQueryAnswer.parse(
                "querying QBCORE on 10.77.0.255\nname_query failed to find name QBCORE\n", "QBCORE");

        assertFalse(answer.answered());
    }

    @Test
    void readsTheReceiversRateFromIperf3() {
        String output = """
                [ ID] Interval           Transfer     Bitrate         Retr
                [  5]   0.00-3.01   sec   528 MBytes  1474 Mbits/sec    0             sender
                [  5]   0.00-3.02   sec   526 MBytes  1461 Mbits/sec                  receiver

                iperf Done.
                """;

        assertEquals(OptionalDouble.of(1461), Iperf3Rate.megabitsPerSecond(output));
        assertEquals(OptionalDouble.empty(), Iperf3Rate.megabitsPerSecond(
                "iperf3: error - unable to connect to server: Connection refused\n"));
    }
}
