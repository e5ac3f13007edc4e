package org.quietbridge.it;

import org.quietbridge.frame.testing.FrameBuilder;

/**
 * Two valid configurations that one probe frame tells apart on the wire, and broken ones, for
 * the reload tests:
 *
 * <ul>
 *   <li><b>A</b>: no {@code rules:} key, so the built-in NetBIOS rules; a probe (a UDP broadcast
 *       to port {@value #PROBE_PORT}) crosses.</li>
 *   <li><b>B</b>: the same two NetBIOS rules, under the same names, written out, plus
 *       {@value #PROBE_RULE}, which drops the probe.</li>
 *   <li><b>broken</b>: the other set's rules (so that any part of it taking effect would flip
 *       the probe) and then one rule with an out-of-range port, on its last line.</li>
 * </ul>
 */
public final class ProbeRules {
    public static final String PROBE_RULE = "probe-broadcast-" + ProbeRules.PROBE_PORT;
    public static final int PROBE_PORT = 9999;
    public static final String L2_RULE = "netbios-broadcast-l2";
    public static final String L3_RULE = "netbios-broadcast-l3";
    /** The bad value in a broken file, and the message the rule compiler gives for it. */
    public static final String BAD_PORT = "99999";
    public static final String BAD_PORT_MESSAGE = "port 99999 is out of range; ports are 0..65535";

    private static final String PORTS = "ports: [ap0, core0]\n";
    private static final String NETBIOS_RULES = """
            rules:
              - name: netbios-broadcast-l2
                match: {ip_protocol: udp, dst_port: [137, 138], l2_dst: [broadcast, multicast]}
                action: drop
              - name: netbios-broadcast-l3
                match: {ip_protocol: udp, dst_port: [137, 138], ipv4_dst_class: [broadcast, multicast]}
                action: drop
            """;
    private static final String PROBE = """
              - name: probe-broadcast-9999
                match: {ip_protocol: udp, dst_port: 9999, l2_dst: broadcast}
                action: drop
            """;
    private static final String BROKEN = """
              - name: broken
                match: {dst_port: 99999}
                action: drop
            """;

    private ProbeRules() {
    }

    /** Set A; {@code extra} (e.g. an {@code api:} section, ending in a newline) goes after the ports. */
    public static String a(String extra) {
        return PORTS + extra;
    }

    /** Set B. */
    public static String b(String extra) {
        return PORTS + extra + NETBIOS_RULES + PROBE;
    }

    /** A broken file whose valid part is set A ({@code likeB} false) or set B. */
    public static String broken(String extra, boolean likeB) {
        return PORTS + extra + NETBIOS_RULES + (likeB ? PROBE : "") + BROKEN;
    }

    /** Where the compiler points in {@code broken}: {@code "line:column"} of the bad port. */
    public static String errorPosition(String broken) {
        String[] lines = broken.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int at = lines[i].indexOf(BAD_PORT);
            if (at >= 0) {
                return (i + 1) + ":" + (at + 1);
            }
        }
        throw new IllegalArgumentException("not a broken file: " + broken);
    }

    /** A probe: a UDP broadcast to port {@value #PROBE_PORT} from {@code d}'s sender, with {@code marker}. */
    public static byte[] probe(Direction d, byte[] marker) {
        return FrameBuilder.ethernet().src(d.srcMac()).broadcast()
                .udp(d.srcIp(), "10.77.0.255", 40001, PROBE_PORT).payload(marker).build();
    }

    /** A NetBIOS datagram broadcast (UDP 138 to the subnet's broadcast): every set here drops it. */
    public static byte[] netbiosBroadcast(Direction d, byte[] marker) {
        return FrameBuilder.ethernet().src(d.srcMac()).broadcast()
                .udp(d.srcIp(), "10.77.0.255", 138, 138).payload(marker).build();
    }
}
