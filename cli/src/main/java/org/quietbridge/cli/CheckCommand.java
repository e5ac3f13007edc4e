package org.quietbridge.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import java.util.List;

import org.quietbridge.bridge.failover.FailoverSettings;
import org.quietbridge.bridge.failover.FallbackRules;
import org.quietbridge.bridge.forward.StormSettings;
import org.quietbridge.rules.CompiledRules;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quietbridge check -c FILE}: loads and compiles a rule set and prints what it will do,
 * one line per rule ({@link CompiledRules#describe}), so an operator can vet a file before {@code run} or {@code reload}.
 */
@Command(
        name = "check",
        description = "Load and compile a rule file, and print its rules.")
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The YAML rule file or bridge configuration (or give it without -c).")
    Path config;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "The file, when -c is not given.")
    Path positional;

    @Override
    public Integer call() {
        if ((config == null) == (positional == null)) {
            throw new ParameterException(spec.commandLine(), config == null ? "missing the file to check: -c FILE"
                    : "give the file once: -c FILE or FILE");
        }
        LoadedRules loaded = LoadedRules.load(config != null ? config : positional);
        CompiledRules rules = loaded.rules();
        PrintWriter out = spec.commandLine().getOut();
        out.println(loaded.header());
        for (int i = 0; i < rules.size(); i++) {
            out.println(rules.describe(i));
        }
        if (rules.size() == 0) {
            out.println("  (no rules: every frame is forwarded)");
        }
        printFallback(out, loaded);
        return ExitCode.OK;
    }

    /**
     * What the kernel's stand-in carries of the rules (docs/ARCHITECTURE.md, "Failover"): for a rule file,
     * what it would carry under the default {@code failover: kernel}.
     */
    private static void printFallback(PrintWriter out, LoadedRules loaded) {
        FailoverSettings failover = loaded.bridgeConfig() ? loaded.config().failover() : FailoverSettings.defaults();
        if (!failover.kernel()) {
            out.println("failover: off: nothing forwards while quietbridge does not");
            return;
        }
        List<FallbackRules.Carried> report = (loaded.bridgeConfig()
                ? FallbackRules.of(loaded.ruleSet(), loaded.config().settings().linkLocal())
                : FallbackRules.of(loaded.ruleSet())).report();
        long carried = report.stream().filter(FallbackRules.Carried::carried).count();
        out.println("failover: kernel (" + failover.timeoutMillis() + " ms): while quietbridge does not forward, the"
                + " kernel does, with " + carried + " of " + report.size() + (report.size() == 1 ? " rule" : " rules"));
        for (FallbackRules.Carried c : report) {
            out.println((c.carried() ? "  carried: " : "  not carried: ") + c.rule() + " (" + c.reason() + ")");
        }
        if (loaded.bridgeConfig()) {
            for (StormSettings.Limit l : loaded.config().settings().storm().limits()) {
                out.println("  not carried: storm control on " + loaded.config().ports().get(l.port()) + " "
                        + l.stormClass().label() + " (" + l.pps() + " frames/s; the kernel's stand-in has no rate limits)");
            }
        }
    }
}
