package org.quietbridge.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

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
            "the rules remove (Princeton OIT's figures), and malformed frames by reason.",
            "With a whole bridge configuration, replays each port's capture through the data plane",
            "itself (rules, later fragments, NLB and ARP containment, storm control, MAC learning) and",
            "reports what each removes and the share of broadcast/multicast removed toward each port."
        })
final class ExplainCommand implements Callable<Integer> {
    private static final String STDIN = "<stdin>";

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "A rule file, or a whole bridge configuration (with 'ports:').")
    Path config;

    @Parameters(arity = "1..*", paramLabel = "CAPTURE", description = {
        "A pcap or pcapng capture of Ethernet frames ('-' reads standard input).",
        "With a bridge configuration: PORT=FILE for each port's capture of what arrived on it, or one FILE",
        "for the port --port names (default: the first port)."})
    List<String> captures;

    @Option(names = {"-p", "--port"}, paramLabel = "NAME",
            description = "Treat every frame as arriving on this bridge port (for rules with 'ingress').")
    String port;

    /** The rule file's capture. */
    private Path capture;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        LoadedRules whole = LoadedRules.load(config);
        if (whole.bridgeConfig()) {
            return replayBridge(whole);
        }
        if (captures.size() != 1) {
            throw new BadInputException(config + " is a rule file: give one capture (PORT=FILE captures need a bridge"
                    + " configuration, with 'ports:')");
        }
        capture = Path.of(captures.getFirst());
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
        return print(report::printText, report::printJson);
    }

    /** Prints a report as text, or as JSON with {@code --json}. */
    private int print(Consumer<PrintWriter> text, Consumer<PrintWriter> asJson) {
        PrintWriter out = spec.commandLine().getOut();
        (json ? asJson : text).accept(out);
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

    /** A whole configuration: replays the captures through the data plane (see {@link BridgeReplay}). */
    private int replayBridge(LoadedRules loaded) throws IOException {
        List<String> ports = loaded.config().ports();
        List<BridgeReplay.Input> inputs = new ArrayList<>();
        for (String c : captures) {
            int eq = c.indexOf('=');
            String portName;
            String file;
            if (eq > 0 && ports.contains(c.substring(0, eq))) {
                portName = c.substring(0, eq);
                file = c.substring(eq + 1);
            } else if (captures.size() == 1) {
                portName = port != null ? port : ports.getFirst();
                file = c;
            } else {
                throw new BadInputException("'" + c + "': with several captures, name each one's port: PORT=FILE (ports: "
                        + String.join(", ", ports) + ")");
            }
            if (!ports.contains(portName)) {
                throw new BadInputException("unknown port '" + portName + "'; the bridge's ports are "
                        + String.join(", ", ports));
            }
            if (file.equals("-")) {
                throw new BadInputException("a bridge configuration replays capture files, not standard input");
            }
            for (BridgeReplay.Input other : inputs) {
                if (other.port().equals(portName)) {
                    throw new BadInputException("two captures for port " + portName + "; merge them (mergecap) first");
                }
            }
            inputs.add(new BridgeReplay.Input(portName, Path.of(file), file));
        }
        BridgeReplay.Result result = BridgeReplay.run(loaded.config(), inputs);
        BridgeReplayReport report = new BridgeReplayReport(result, loaded);
        return print(report::printText, report::printJson);
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
