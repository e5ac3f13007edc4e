package org.quietbridge.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.quietbridge.capture.CaptureFormatException;
import org.quietbridge.capture.CaptureReader;
import org.quietbridge.frame.FrameView;
import org.quietbridge.rules.Action;
import org.quietbridge.rules.CompiledRules;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quietbridge explain -c FILE CAPTURE}: replays a pcap or pcapng capture through the
 * compiled rules and reports what they would do, with the figures Princeton OIT published for
 * its NetBIOS filter (NetBIOS and ARP shares of broadcast/multicast, and how much the filter
 * removes), so an operator can measure them on their own network before going inline.
 */
@Command(
        name = "explain",
        description = {
            "Replay a capture through the rules; report NetBIOS and ARP figures.",
            "Reads pcap or pcapng (Ethernet). Reports per-rule hits, the share of",
            "broadcast/multicast frames that is NetBIOS (IPv4 UDP 137/138) and ARP, how many",
            "the rules remove (Princeton OIT's figures), and malformed frames by reason."
        })
final class ExplainCommand implements Callable<Integer> {
    private static final String STDIN = "<stdin>";

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The YAML rule file.")
    Path config;

    @Parameters(index = "0", paramLabel = "CAPTURE",
            description = "A pcap or pcapng capture of Ethernet frames ('-' reads standard input).")
    Path capture;

    @Option(names = {"-p", "--port"}, paramLabel = "NAME",
            description = "Treat every frame as arriving on this bridge port (for rules with 'ingress').")
    String port;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        LoadedRules loaded = LoadedRules.loadForPort(config, port);
        CompiledRules rules = loaded.rules();
        boolean[] removes = new boolean[rules.size()];
        for (int i = 0; i < removes.length; i++) {
            // The configured action: in monitor mode a drop rule only counts, but it is what
            // enforce mode would remove, and that is the figure an operator wants.
            removes[i] = rules.action(i) == Action.DROP;
        }
        ExplainTally tally = new ExplainTally(removes);
        replay(loaded, tally);
        ExplainReport report = new ExplainReport(captureName(), loaded, port, tally);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            report.printJson(out);
        } else {
            report.printText(out);
        }
        return ExitCode.OK;
    }

    private void replay(LoadedRules loaded, ExplainTally tally) throws IOException {
        CompiledRules rules = loaded.rules();
        int ingress = loaded.portIndex(port);
        FrameView view = new FrameView();
        try (CaptureReader reader = open()) {
            while (reader.next()) {
                int length = reader.capturedLength();
                view.wrap(reader.frame(), 0, length);
                tally.add(view, rules.evaluate(view, ingress), length < reader.originalLength());
            }
        } catch (CaptureFormatException e) {
            throw e;
        } catch (IOException e) {
            throw InputFiles.cannotRead(capture, e);
        }
    }

    private boolean fromStdin() {
        return capture.toString().equals("-");
    }

    private String captureName() {
        return fromStdin() ? STDIN : capture.toString();
    }

    private CaptureReader open() throws IOException {
        if (fromStdin()) {
            return CaptureReader.open(System.in, STDIN);
        }
        return CaptureReader.open(InputFiles.readable(capture));
    }
}
