package org.quietbridge.cli.demo;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.quietbridge.bridge.forward.PortCounter;

/**
 * The demo's narrative, printed as it happens: numbered steps, plain lines, and checks that
 * print {@code ok} or {@code FAIL} and are counted for the verdict at the end.
 *
 * <pre>
 * 3. Unicast crosses: ping from qbdemo-ap to 10.77.0.20
 *    ok    ping: 3 of 3 echo replies (rtt avg 0.52 ms)
 * </pre>
 */
final class DemoReport {
    static final String OK = "ok    ";
    static final String FAIL = "FAIL  ";
    private static final String INDENT = "   ";

    private final PrintWriter out;
    private int step;
    private int checks;
    private int failures;
    private String interruptedBy;
    private int interruptedInStep;

    DemoReport(PrintWriter out) {
        this.out = out;
    }

    void line(String text) {
        out.println(text);
        out.flush();
    }

    /** Starts the next numbered step. */
    void step(String title) {
        step++;
        line(step + ". " + title);
    }

    /** A line under the current step that checks nothing. */
    void info(String text) {
        line(INDENT + text);
    }

    /** A check: {@code ok} or {@code FAIL} in front of {@code text}. */
    void check(boolean ok, String text) {
        checks++;
        if (!ok) {
            failures++;
        }
        line(INDENT + (ok ? OK : FAIL) + text);
    }

    /** A failed check: the one line that says what went wrong. */
    void fail(String text) {
        check(false, text);
    }

    int step() {
        return step;
    }

    int checks() {
        return checks;
    }

    int failures() {
        return failures;
    }

    /** Notes that a signal cut the demo short, in the step under way. */
    void interrupted(String signal) {
        interruptedBy = signal;
        interruptedInStep = step;
        info("interrupted (" + signal + "): cleaning up");
    }

    /** The last line: passed, failed, or interrupted. */
    String verdict(Duration took) {
        String seconds = String.format(Locale.ROOT, "%.1f s", took.toMillis() / 1000.0);
        if (interruptedBy != null) {
            return "demo interrupted (" + interruptedBy + ") in step " + interruptedInStep + " after " + seconds + "; "
                    + failures + " of " + checks + " checks so far failed";
        }
        if (failures == 0) {
            return "demo passed: all " + checks + " checks ok in " + seconds;
        }
        return "demo FAILED: " + failures + " of " + checks + " checks failed (the FAIL lines above) in " + seconds;
    }

    /**
     * Compares what was sent with what reached the other side, from a capture on each host's
     * {@code eth0}: one check per {@link TrafficKind} that the client host sent, then one for the
     * NetBIOS broadcasts that nmbd itself sent from the server host, if it sent any yet.
     *
     * @param ap          the client host's namespace name
     * @param core        the server host's namespace name
     * @param apSent      frames from the client host, captured on the client host
     * @param coreReached frames from the client host, captured on the server host
     * @param coreSent    frames from the server host, captured on the server host
     * @param apReached   frames from the server host, captured on the client host
     */
    void checkCaptures(String ap, String core, CaptureTally apSent, CaptureTally coreReached, CaptureTally coreSent,
            CaptureTally apReached) {
        info(String.format(Locale.ROOT, "      %-31s %-21s %4s %7s", "from " + ap, "to", "sent", "reached"));
        for (TrafficKind kind : TrafficKind.values()) {
            int sent = apSent.count(kind);
            int reached = coreReached.count(kind);
            captureCheck(kind.label(), kind.destination(), kind.mustPass(), sent, reached);
        }
        int sent = coreSent.count(TrafficKind.NETBIOS_NAME_BROADCAST)
                + coreSent.count(TrafficKind.NETBIOS_DATAGRAM_BROADCAST);
        int reached = apReached.count(TrafficKind.NETBIOS_NAME_BROADCAST)
                + apReached.count(TrafficKind.NETBIOS_DATAGRAM_BROADCAST);
        info("      from " + core + " (nmbd itself)");
        if (sent == 0) {
            info(String.format(Locale.ROOT, "      %-31s %-21s %4d %7d  (none yet)", "NetBIOS broadcasts",
                    TrafficKind.NETBIOS_NAME_BROADCAST.destination() + ",138", sent, reached));
        } else {
            captureCheck("NetBIOS broadcasts", TrafficKind.NETBIOS_NAME_BROADCAST.destination() + ",138", false, sent,
                    reached);
        }
    }

    private void captureCheck(String label, String destination, boolean mustPass, int sent, int reached) {
        boolean ok;
        String outcome;
        if (sent == 0) {
            ok = false;
            outcome = "never sent: the demo could not send it";
        } else if (mustPass) {
            ok = reached == sent;
            outcome = ok ? "forwarded" : "lost: quietbridge must forward it";
        } else {
            ok = reached == 0;
            outcome = ok ? "dropped" : "crossed: quietbridge must drop it";
        }
        check(ok, String.format(Locale.ROOT, "%-31s %-21s %4d %7d  %s", label, destination, sent, reached, outcome));
    }

    /**
     * The bridge's own counters as a table: per port, frames in and out, broadcast/multicast in
     * and forwarded, dropped by the rules, and the share of broadcast/multicast removed; then a
     * line for all ports together.
     */
    static List<String> counterTable(BridgeSummary summary) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("port", "frames in", "frames out", "bcast/mcast in", "forwarded", "dropped by rules",
                "bcast/mcast removed"));
        for (BridgeSummary.Port port : summary.ports()) {
            rows.add(row(port.name(), port.get(PortCounter.RX_FRAMES), port.get(PortCounter.TX_FRAMES),
                    port.get(PortCounter.RX_BROADCAST_MULTICAST), port.get(PortCounter.FORWARDED_BROADCAST_MULTICAST),
                    port.get(PortCounter.DROP_RULE), port.broadcastMulticastRemoved()));
        }
        if (summary.ports().size() > 1) {
            rows.add(row("all", summary.total(PortCounter.RX_FRAMES), summary.total(PortCounter.TX_FRAMES),
                    summary.total(PortCounter.RX_BROADCAST_MULTICAST),
                    summary.total(PortCounter.FORWARDED_BROADCAST_MULTICAST), summary.total(PortCounter.DROP_RULE),
                    summary.totalBroadcastMulticastRemoved()));
        }
        return aligned(rows);
    }

    /** "12 of 57 (21.1%)", or "0" when there was no broadcast/multicast at all. */
    static String share(long part, long whole) {
        if (whole == 0) {
            return Long.toString(part);
        }
        return String.format(Locale.ROOT, "%d of %d (%.1f%%)", part, whole, 100.0 * part / whole);
    }

    private static List<String> row(String port, long in, long out, long groupIn, long groupForwarded, long dropped,
            long groupRemoved) {
        return List.of(port, Long.toString(in), Long.toString(out), Long.toString(groupIn), Long.toString(groupForwarded),
                Long.toString(dropped), groupIn == 0 ? "-"
                        : String.format(Locale.ROOT, "%.1f%%", 100.0 * groupRemoved / groupIn));
    }

    /** The first column left-aligned, the others right-aligned, two spaces apart. */
    static List<String> aligned(List<List<String>> rows) {
        int columns = rows.getFirst().size();
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                String cell = row.get(c);
                if (c == 0) {
                    line.append(cell).append(" ".repeat(width[c] - cell.length()));
                } else {
                    line.append("  ").append(" ".repeat(width[c] - cell.length())).append(cell);
                }
            }
            lines.add(line.toString());
        }
        return lines;
    }
}
