package org.quietbridge.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code quietbridge} command. Each subcommand is one class; a new one ({@code run},
 * {@code lab}, {@code stats}, {@code reload}) is added to {@code subcommands} below and gets
 * the exit codes and one-line errors of {@link FailureReporter} for free.
 */
@Command(
        name = "quietbridge",
        // Subcommands inherit --help, --version and the exit-code list.
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A transparent Ethernet bridge that drops NetBIOS broadcast noise.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {RunCommand.class, StatsCommand.class, ReloadCommand.class, CheckCommand.class, ExplainCommand.class, LabCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:run-time failure", "2:bad input (config error, unreadable capture, usage)"})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        List<String> commands = new ArrayList<>(spec.subcommands().keySet());
        commands.remove("help");
        throw new ParameterException(spec.commandLine(), "missing command: one of " + String.join(", ", commands));
    }

    public static void main(String[] args) {
        CommandLine cmd = commandLine();
        System.exit(cmd.execute(args));
    }

    /** The command line with the project's error handling, writing to System.out and System.err. */
    public static CommandLine commandLine() {
        FailureReporter failures = new FailureReporter();
        return new CommandLine(new Main())
                .setExecutionExceptionHandler(failures)
                .setParameterExceptionHandler(failures)
                .setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** Runs a command line in-process, writing to {@code out} and {@code err}; returns the exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cmd = commandLine().setOut(out).setErr(err);
        int code = cmd.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The version from the jar manifest (Implementation-Version), or "development" from classes. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"quietbridge " + version()};
        }
    }

    /** The build's version (jar manifest), or "development build" when run from classes. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }
}
