package org.quietbridge.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.quietbridge.frame.Malformation;
import org.quietbridge.rules.Action;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.Mode;

/** Prints an {@link ExplainTally} for people (aligned text) or programs (JSON). */
final class ExplainReport {
    private static final String NO_MATCH = "(no rule matched)";
    private static final int LABEL_WIDTH = 30;

    private final String capture;
    private final LoadedRules loaded;
    private final CompiledRules rules;
    private final String port;
    private final ExplainTally t;
    private final boolean monitor;

    ExplainReport(String capture, LoadedRules loaded, String port, ExplainTally tally) {
        this.capture = capture;
        this.loaded = loaded;
        this.rules = loaded.rules();
        this.port = port;
        this.t = tally;
        this.monitor = rules.mode() == Mode.MONITOR;
    }

    // ---- text -----------------------------------------------------------------------------

    void printText(PrintWriter out) {
        out.println("capture  " + capture + ": " + t.frames + (t.frames == 1 ? " frame" : " frames"));
        out.println("rules    " + loaded.header());
        out.println("port     " + portText());
        out.println();
        printRuleTable(out);
        out.println();

        int w = Math.max(3, Long.toString(t.frames).length());
        long group = t.group();
        String removed = monitor ? "  would be removed" : "  removed by the rules";
        String ofGroup = " broadcast/multicast";
        row(out, w, "broadcast/multicast", t.group(), t.frames, " frames",
                ": " + t.broadcast + " broadcast, " + t.multicast + " multicast");
        row(out, w, removed, t.groupRemoved, group, "", "");
        row(out, w, "NetBIOS (IPv4 UDP 137/138)", t.netbiosGroup, group, ofGroup, "");
        row(out, w, removed, t.netbiosGroupRemoved, t.netbiosGroup, "", "");
        row(out, w, "ARP", t.arpGroup, group, ofGroup, "");
        row(out, w, removed, t.arpGroupRemoved, t.arpGroup, "", "");
        long withArp = t.groupRemoved + t.arpGroup - t.arpGroupRemoved;
        row(out, w, (monitor ? "would be removed" : "removed") + " + all ARP", withArp, group, ofGroup, "");
        row(out, w, "NetBIOS to a unicast MAC", t.netbiosUnicast, t.frames, " frames", "");
        row(out, w, removed, t.netbiosUnicastRemoved, t.netbiosUnicast, "",
                t.netbiosUnicastRemoved == 0 ? "" : ": an IPv4 broadcast or multicast inside a unicast frame");
        row(out, w, monitor ? "all frames would be removed" : "all frames removed", t.removed, t.frames, " frames", "");
        out.println();

        long malformedTotal = t.malformedTotal();
        row(out, w, "malformed frames", malformedTotal, t.frames, " frames", "");
        for (Malformation m : Malformation.values()) {
            long n = t.malformed[m.ordinal()];
            if (n > 0) {
                out.println(pad("  " + m.label(), LABEL_WIDTH) + " " + lpad(Long.toString(n), w));
            }
        }
        if (t.cutBySnapLength > 0) {
            out.println(pad("cut by the snap length", LABEL_WIDTH) + " " + lpad(Long.toString(t.cutBySnapLength), w)
                    + " (decoded as captured: a cut header counts as malformed)");
        }
        out.println();
        if (monitor) {
            out.println("note: mode monitor forwards every frame; 'would be removed' is what its drop rules");
            out.println("      remove in mode enforce.");
        }
        out.println("note: Princeton OIT measured on wireless: NetBIOS 20-25% (typically 23%) of broadcast/multicast,");
        out.println("      the ARP it triggered another ~25%, and a 45-50% cut in all. A replay still holds that");
        out.println("      ARP, so compare 'removed + all ARP' with their 45-50%.");
    }

    private void printRuleTable(PrintWriter out) {
        int n = rules.size();
        int nameWidth = NO_MATCH.length();
        int actionWidth = Action.FORWARD.word().length();
        for (int i = 0; i < n; i++) {
            nameWidth = Math.max(nameWidth, rules.name(i).length());
            actionWidth = Math.max(actionWidth, actionText(i).length());
        }
        int indexWidth = Math.max(1, Integer.toString(n).length());
        int hitWidth = Math.max(4, Long.toString(t.frames).length());
        String format = "  %" + indexWidth + "s  %-" + nameWidth + "s  %-" + actionWidth + "s  %" + hitWidth + "s  %11s%n";
        out.printf(Locale.ROOT, format, "#", "rule", "action", "hits", "% of frames");
        for (int i = 0; i < n; i++) {
            out.printf(Locale.ROOT, format, i + 1, rules.name(i), actionText(i), t.ruleHits[i],
                    percent(t.ruleHits[i], t.frames));
        }
        out.printf(Locale.ROOT, format, "", NO_MATCH, Action.FORWARD.word(), t.unmatched, percent(t.unmatched, t.frames));
    }

    private String actionText(int i) {
        Action action = rules.action(i);
        if (monitor && action == Action.DROP) {
            return "would drop";
        }
        return action.word();
    }

    private String portText() {
        List<String> named = LoadedRules.namedPorts(loaded.ruleSet());
        if (port == null) {
            return named.isEmpty() ? "none given (no rule names a port)"
                    : "none given: rules with 'ingress' (" + String.join(", ", named)
                            + ") never match; use --port NAME";
        }
        return named.contains(port) ? port : port + " (no rule names this port)";
    }

    /** {@code label  count of whole[unit] (p%)[tail]}, the count aligned in a column {@code w} wide. */
    private static void row(PrintWriter out, int w, String label, long count, long whole, String unit, String tail) {
        out.println(pad(label, LABEL_WIDTH) + " " + lpad(Long.toString(count), w) + " of " + whole + unit
                + " (" + percent(count, whole) + ")" + tail);
    }

    static String percent(long part, long whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String lpad(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    // ---- JSON -----------------------------------------------------------------------------

    void printJson(PrintWriter out) {
        List<String> ruleObjects = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            ruleObjects.add(object(
                    "name", str(rules.name(i)),
                    "action", str(rules.action(i).word()),
                    "effective_action", str(rules.effectiveAction(i).word()),
                    "hits", Long.toString(t.ruleHits[i])));
        }
        List<String> malformed = new ArrayList<>();
        for (Malformation m : Malformation.values()) {
            if (t.malformed[m.ordinal()] > 0) {
                malformed.add(str(m.label()));
                malformed.add(Long.toString(t.malformed[m.ordinal()]));
            }
        }
        out.println(object(
                "capture", str(capture),
                "config", str(loaded.file().toString()),
                "mode", str(rules.mode().word()),
                "port", port == null ? "null" : str(port),
                "frames", Long.toString(t.frames),
                "rules", "[" + String.join(",", ruleObjects) + "]",
                "unmatched", Long.toString(t.unmatched),
                "removed", Long.toString(t.removed),
                "broadcast_multicast", object(
                        "frames", Long.toString(t.group()),
                        "broadcast", Long.toString(t.broadcast),
                        "multicast", Long.toString(t.multicast),
                        "removed", Long.toString(t.groupRemoved)),
                "netbios", object(
                        "broadcast_multicast", Long.toString(t.netbiosGroup),
                        "broadcast_multicast_removed", Long.toString(t.netbiosGroupRemoved),
                        "unicast", Long.toString(t.netbiosUnicast),
                        "unicast_removed", Long.toString(t.netbiosUnicastRemoved)),
                "arp", object(
                        "broadcast_multicast", Long.toString(t.arpGroup),
                        "broadcast_multicast_removed", Long.toString(t.arpGroupRemoved)),
                "malformed", object(malformed.toArray(String[]::new)),
                "cut_by_snap_length", Long.toString(t.cutBySnapLength)));
    }

    /** A JSON object from alternating keys and already-encoded values. */
    private static String object(String... keysAndValues) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(str(keysAndValues[i])).append(':').append(keysAndValues[i + 1]);
        }
        return sb.append('}').toString();
    }

    /** A JSON string (RFC 8259, section 7). */
    static String str(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
