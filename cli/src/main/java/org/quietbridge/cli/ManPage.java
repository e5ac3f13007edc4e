package org.quietbridge.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The manual page, quietbridge(1), in man(7) markup, rendered from the commands' own picocli model, so
 * that every command and option the program takes is in it with the description its {@code --help}
 * prints. The repository keeps the rendering as {@code docs/man/quietbridge.1} ({@code ManPageTest}
 * holds the two equal); {@code man -l docs/man/quietbridge.1} reads it.
 */
final class ManPage {
    private ManPage() {
    }

    /** The page for the command line {@code root} (the {@code quietbridge} command). */
    static String render(CommandLine root) {
        CommandSpec spec = root.getCommandSpec();
        StringBuilder m = new StringBuilder();
        m.append(".\\\" quietbridge(1): generated from the commands' picocli model by ManPage; do not edit.\n");
        m.append(".TH QUIETBRIDGE 1 \"\" \"quietbridge\" \"User Commands\"\n");
        m.append(".SH NAME\nquietbridge \\- ").append(text(String.join(" ", spec.usageMessage().description())))
                .append('\n');
        m.append(".SH SYNOPSIS\n");
        for (Map.Entry<String, CommandLine> sub : commands(root)) {
            m.append(".B quietbridge ").append(sub.getKey()).append('\n');
            m.append(synopsis(sub.getValue().getCommandSpec())).append(".br\n");
        }
        m.append(".SH DESCRIPTION\n").append(text("quietbridge sits inline between two Ethernet segments (for"
                + " example a wireless AP uplink and the campus core) and forwards every frame, except what its"
                + " rules drop: by default NetBIOS-over-TCP/IP broadcasts and multicasts (UDP 137 and 138)."
                + " It can also contain Microsoft NLB cluster floods and ARP request floods, and cap storms."
                + " While it does not forward, the kernel bridges the ports (failover: kernel)."))
                .append('\n');
        m.append(".SH COMMANDS\n");
        for (Map.Entry<String, CommandLine> sub : commands(root)) {
            CommandSpec c = sub.getValue().getCommandSpec();
            m.append(".SS ").append(sub.getKey()).append('\n');
            for (String line : c.usageMessage().description()) {
                m.append(text(line)).append('\n');
            }
            for (PositionalParamSpec p : c.positionalParameters()) {
                if (p.hidden()) {
                    continue;
                }
                m.append(".TP\n.I ").append(text(p.paramLabel())).append('\n').append(description(p)).append('\n');
            }
            for (OptionSpec o : c.options()) {
                if (!own(o)) {
                    continue;
                }
                m.append(".TP\n.B ").append(text(String.join(", ", o.names())));
                if (o.typeInfo().isBoolean()) {
                    m.append('\n');
                } else {
                    m.append(" \\fI").append(text(o.paramLabel())).append("\\fR\n");
                }
                m.append(description(o)).append('\n');
            }
        }
        m.append(".SH OPTIONS\n");
        for (OptionSpec o : spec.options()) {
            m.append(".TP\n.B ").append(text(String.join(", ", o.names()))).append('\n').append(description(o))
                    .append('\n');
        }
        m.append(".SH EXIT STATUS\n");
        for (Map.Entry<String, String> e : spec.usageMessage().exitCodeList().entrySet()) {
            m.append(".TP\n.B ").append(text(e.getKey().strip())).append('\n').append(text(e.getValue())).append('\n');
        }
        m.append(".SH SIGNALS\n.TP\n.B SIGHUP\n").append(text("run re-reads its configuration; a broken file is"
                + " refused and the running one stays (as quietbridge reload)."))
                .append("\n.TP\n.B SIGUSR1\n").append(text("run writes the last 256 frames the rules dropped to a"
                        + " pcap file in its dump directory."))
                .append("\n.TP\n.B SIGTERM, SIGINT\n").append(text("run stops, hands the ports to the kernel"
                        + " (failover: kernel) and prints a summary of its counters."))
                .append('\n');
        m.append(".SH FILES\n.TP\n.I /etc/quietbridge/quietbridge.yaml\n")
                .append(text("the configuration the service runs with (the README lists every key)."))
                .append('\n');
        m.append(".SH SEE ALSO\n.BR nft (8),\n.BR tcpdump (8),\n.BR ip\\-netns (8)\n");
        return m.toString();
    }

    /** The commands in the order the program lists them, each followed by its own ({@code lab up}), without {@code help}. */
    private static List<Map.Entry<String, CommandLine>> commands(CommandLine root) {
        List<Map.Entry<String, CommandLine>> out = new ArrayList<>();
        addCommands(root, "", out);
        return out;
    }

    private static void addCommands(CommandLine parent, String prefix, List<Map.Entry<String, CommandLine>> out) {
        for (Map.Entry<String, CommandLine> e : parent.getSubcommands().entrySet()) {
            if (!e.getKey().equals("help")) {
                out.add(Map.entry(prefix + e.getKey(), e.getValue()));
                addCommands(e.getValue(), prefix + e.getKey() + " ", out);
            }
        }
    }

    /** An option of the command's own: not hidden, and not --help or --version, which every command takes. */
    private static boolean own(OptionSpec o) {
        return !o.hidden() && !o.inherited() && !o.usageHelp() && !o.versionHelp();
    }

    private static String synopsis(CommandSpec c) {
        StringBuilder s = new StringBuilder();
        for (OptionSpec o : c.options()) {
            if (!own(o)) {
                continue;
            }
            s.append(o.required() ? "" : "[").append("\\fB").append(text(o.shortestName())).append("\\fR");
            if (!o.typeInfo().isBoolean()) {
                s.append(" \\fI").append(text(o.paramLabel())).append("\\fR");
            }
            s.append(o.required() ? "" : "]").append(' ');
        }
        for (PositionalParamSpec p : c.positionalParameters()) {
            if (!p.hidden()) {
                s.append(p.arity().min() == 0 ? "[" : "").append("\\fI").append(text(p.paramLabel())).append("\\fR")
                        .append(p.arity().max() > 1 ? "..." : "").append(p.arity().min() == 0 ? "] " : " ");
            }
        }
        if (!c.subcommands().isEmpty()) {
            s.append("\\fICOMMAND\\fR");
        }
        return s.toString().strip() + "\n";
    }

    private static String description(ArgSpec a) {
        return text(String.join(" ", a.description()).replace("%n", " "));
    }

    /**
     * Text as man(7) reads it: backslashes and hyphens escaped, and no line starting with a control
     * character ({@code .} or {@code '}).
     */
    static String text(String s) {
        String t = s.replace("\\", "\\e").replace("-", "\\-");
        return t.startsWith(".") || t.startsWith("'") ? "\\&" + t : t;
    }
}
