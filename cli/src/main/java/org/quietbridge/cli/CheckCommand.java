package org.quietbridge.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.quietbridge.rules.CompiledRules;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The YAML rule file.")
    Path config;

    @Override
    public Integer call() {
        LoadedRules loaded = LoadedRules.load(config);
        CompiledRules rules = loaded.rules();
        PrintWriter out = spec.commandLine().getOut();
        out.println(loaded.header());
        for (int i = 0; i < rules.size(); i++) {
            out.println(rules.describe(i));
        }
        if (rules.size() == 0) {
            out.println("  (no rules: every frame is forwarded)");
        }
        return ExitCode.OK;
    }
}
