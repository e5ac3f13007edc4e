package org.quietbridge.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.quietbridge.bridge.forward.ArpMode;
import org.quietbridge.bridge.forward.BridgeSettings;
import org.quietbridge.bridge.forward.NlbMode;

/** Prints a {@link BridgeReplay.Result} for people (aligned text) or programs (JSON). */
final class BridgeReplayReport {
    private static final int LABEL_WIDTH = 52;

    private final BridgeReplay.Result r;
    private final LoadedRules loaded;

    BridgeReplayReport(BridgeReplay.Result result, LoadedRules loaded) {
        this.r = result;
        this.loaded = loaded;
    }

    /** The features the configuration turns on, as the header names them. */
    private List<String> features() {
        BridgeSettings s = r.config().settings();
        List<String> on = new ArrayList<>();
        on.add(r.ruleNames().size() + (r.ruleNames().size() == 1 ? " rule" : " rules") + " with later fragments");
        if (s.nlb().mode() != NlbMode.OFF) {
            on.add("nlb " + s.nlb().mode().word());
        }
        if (s.arp().mode() != ArpMode.OFF) {
            on.add("arp " + s.arp().mode().word());
        }
        if (!s.storm().limits().isEmpty()) {
            on.add("storm control (" + s.storm().limits().size() + (s.storm().limits().size() == 1 ? " limit)" : " limits)"));
        }
        return on;
    }

    void printText(PrintWriter out) {
        List<String> captures = new ArrayList<>();
        for (int k = 0; k < r.inputs().size(); k++) {
            BridgeReplay.Input in = r.inputs().get(k);
            captures.add(in.port() + " <- " + in.name());
        }
        out.println("captures " + String.join(", ", captures));
        out.println("config   " + loaded.header());
        out.println("replays  " + String.join(", ", features()) + "; MAC learning");
        out.println();
        long total = 0;
        for (long f : r.framesIn()) {
            total += f;
        }
        int w = Math.max(6, Long.toString(total).length());
        out.println(pad("what the bridge removes", LABEL_WIDTH) + " " + lpad("frames", w));
        for (BridgeReplay.Removal removal : BridgeReplay.Removal.values()) {
            out.println(pad("  " + removal.text, LABEL_WIDTH) + " " + lpad(Long.toString(r.removed(removal)), w));
            if (removal == BridgeReplay.Removal.RULES) {
                for (int i = 0; i < r.ruleNames().size(); i++) {
                    out.println(pad("    " + r.ruleNames().get(i), LABEL_WIDTH) + " " + lpad(Long.toString(r.ruleHits()[i]), w));
                }
                out.println(pad("    of them, later fragments of a dropped datagram", LABEL_WIDTH) + " "
                        + lpad(Long.toString(r.laterFragments()), w));
            }
        }
        out.println(pad("  ARP requests sent as a unicast to their owner", LABEL_WIDTH) + " "
                + lpad(Long.toString(r.arpRewritten()), w));
        if (r.tooLarge() > 0) {
            out.println(pad("  not replayed: larger than " + BridgeReplay.PORT_MTU + " bytes", LABEL_WIDTH) + " "
                    + lpad(Long.toString(r.tooLarge()), w));
        }
        out.println();
        out.printf(Locale.ROOT, "%-12s %10s   %-38s%n", "", "", "broadcast/multicast toward the port");
        out.printf(Locale.ROOT, "%-12s %10s %12s %16s %9s%n", "port", "frames in", "plain wire", "with quietbridge",
                "removed");
        for (int p = 0; p < r.config().ports().size(); p++) {
            out.printf(Locale.ROOT, "%-12s %10d %12d %16d %9s%n", r.config().ports().get(p), r.framesIn()[p],
                    r.groupOffered()[p], r.groupDelivered()[p], share(p));
        }
        out.println();
        out.println("note: 'plain wire' is what a wire would carry toward the port: every broadcast/multicast frame");
        out.println("      the other ports' captures hold. Princeton OIT cut broadcast/multicast on its wireless");
        out.println("      networks by 45-50% (NetBIOS 20-25%, the ARP it triggered ~25%); compare the AP side's row.");
        out.println("      Each capture must hold what arrived on its port (tcpdump -Q in -i PORT).");
    }

    private String share(int p) {
        long offered = r.groupOffered()[p];
        if (offered == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f%%", 100.0 * (offered - r.groupDelivered()[p]) / offered);
    }

    void printJson(PrintWriter out) {
        StringBuilder j = new StringBuilder("{\"config\":").append(ExplainReport.str(loaded.file().toString()));
        j.append(",\"captures\":[");
        for (int k = 0; k < r.inputs().size(); k++) {
            BridgeReplay.Input in = r.inputs().get(k);
            j.append(k == 0 ? "" : ",").append("{\"port\":").append(ExplainReport.str(in.port())).append(",\"file\":")
                    .append(ExplainReport.str(in.name())).append('}');
        }
        j.append("],\"removed\":{");
        for (BridgeReplay.Removal removal : BridgeReplay.Removal.values()) {
            j.append('"').append(removal.name().toLowerCase(Locale.ROOT)).append("\":").append(r.removed(removal)).append(',');
        }
        j.append("\"later_fragments\":").append(r.laterFragments()).append(",\"arp_rewritten\":").append(r.arpRewritten())
                .append(",\"too_large\":").append(r.tooLarge()).append("},\"rules\":[");
        for (int i = 0; i < r.ruleNames().size(); i++) {
            j.append(i == 0 ? "" : ",").append("{\"name\":").append(ExplainReport.str(r.ruleNames().get(i)))
                    .append(",\"hits\":").append(r.ruleHits()[i]).append('}');
        }
        j.append("],\"ports\":[");
        for (int p = 0; p < r.config().ports().size(); p++) {
            j.append(p == 0 ? "" : ",").append("{\"port\":").append(ExplainReport.str(r.config().ports().get(p)))
                    .append(",\"frames_in\":").append(r.framesIn()[p]).append(",\"group_in\":").append(r.groupIn()[p])
                    .append(",\"group_toward_without\":").append(r.groupOffered()[p])
                    .append(",\"group_toward_with\":").append(r.groupDelivered()[p]).append('}');
        }
        out.println(j.append("]}"));
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String lpad(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
