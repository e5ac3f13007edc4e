package org.quietbridge.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;

import org.quietbridge.lab.Role;

/**
 * A host's own counters, as its operator reads them: the interface statistics of its eth0
 * ({@code /sys/class/net/eth0/statistics}, which {@code ip netns exec} shows for the host's own
 * namespace) and its IP stack's SNMP counters ({@code /proc/net/snmp}).
 */
public record HostCounters(long rxPackets, long rxBytes, long txPackets, long txBytes, long tcpOutSegs, long tcpRetransSegs,
                    long tcpInCsumErrors,
                    long udpInDatagrams, long udpInCsumErrors, long udp6InDatagrams, long udp6InCsumErrors) {

    public static HostCounters read(LabFixture fixture, Role host) {
        String stats = fixture.run(host, "sh", "-c", "cd /sys/class/net/eth0/statistics && cat rx_packets rx_bytes"
                + " tx_packets tx_bytes").stdout();
        List<Long> values = stats.lines().map(String::strip).map(Long::parseLong).toList();
        String snmp = fixture.run(host, "cat", "/proc/net/snmp").stdout();
        String snmp6 = fixture.run(host, "cat", "/proc/net/snmp6").stdout();
        return new HostCounters(values.get(0), values.get(1), values.get(2), values.get(3),
                snmp(snmp, "Tcp", "OutSegs"), snmp(snmp, "Tcp", "RetransSegs"), snmp(snmp, "Tcp", "InCsumErrors"), snmp(snmp, "Udp", "InDatagrams"),
                snmp(snmp, "Udp", "InCsumErrors"), snmp6(snmp6, "Udp6InDatagrams"), snmp6(snmp6, "Udp6InCsumErrors"));
    }

    /** The counters this one grew by since {@code before}. */
    public HostCounters minus(HostCounters before) {
        return new HostCounters(rxPackets - before.rxPackets, rxBytes - before.rxBytes, txPackets - before.txPackets,
                txBytes - before.txBytes, tcpOutSegs - before.tcpOutSegs, tcpRetransSegs - before.tcpRetransSegs,
                tcpInCsumErrors - before.tcpInCsumErrors,
                udpInDatagrams - before.udpInDatagrams, udpInCsumErrors - before.udpInCsumErrors,
                udp6InDatagrams - before.udp6InDatagrams, udp6InCsumErrors - before.udp6InCsumErrors);
    }

    /** One value of /proc/net/snmp6: one "Name value" line each. */
    private static long snmp6(String snmp6, String name) {
        return snmp6.lines().map(l -> l.split("\\s+")).filter(w -> w.length == 2 && w[0].equals(name))
                .mapToLong(w -> Long.parseLong(w[1])).findFirst()
                .orElseGet(() -> fail("no " + name + " in /proc/net/snmp6:\n" + snmp6));
    }

    /** One value of /proc/net/snmp: a line of names ("Tcp: ... OutSegs ...") followed by one of values. */
    private static long snmp(String snmp, String group, String name) {
        List<String> lines = snmp.lines().filter(l -> l.startsWith(group + ":")).toList();
        if (lines.size() < 2) {
            return fail("no " + group + " lines in /proc/net/snmp:\n" + snmp);
        }
        List<String> names = List.of(lines.get(0).split("\\s+"));
        String[] values = lines.get(1).split("\\s+");
        int i = names.indexOf(name);
        if (i < 0) {
            return fail("no " + group + " " + name + " in /proc/net/snmp:\n" + snmp);
        }
        return Long.parseLong(values[i]);
    }
}
