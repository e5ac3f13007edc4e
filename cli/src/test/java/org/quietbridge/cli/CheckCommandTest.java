package org.quietbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CheckCommandTest {
    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void printsAHeaderAndOneLinePerRuleForTheDefaultExample() {
        Path example = CommandRun.repositoryRoot().resolve("examples/netbios-default.yaml");
        CommandRun run = CommandRun.of("check", "-c", example.toString());
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        assertEquals("", run.err());
        List<String> lines = run.outLines();
        assertEquals(6, lines.size(), run.out());
        assertEquals(example + ": 2 rules, mode enforce, subnets none", lines.get(0));
        assertTrue(lines.get(1).matches(" *1 netbios-broadcast-l2 +drop +udp dst_port 137-138 l2_dst broadcast,multicast"),
                lines.get(1));
        assertTrue(lines.get(2).matches(
                " *2 netbios-broadcast-l3 +drop +udp dst_port 137-138 ipv4_dst_class broadcast,multicast"), lines.get(2));
        assertEquals("failover: kernel (200 ms): while quietbridge does not forward, the kernel does, with 2 of 2 rules",
                lines.get(3));
        assertEquals(List.of("  carried: netbios-broadcast-l2 (drop)", "  carried: netbios-broadcast-l3 (drop)"),
                lines.subList(4, 6));
    }

    @Test
    void namesTheRulesTheKernelsStandInCannotCarry() throws IOException {
        Path file = write("bridge.yaml", """
                ports: [ap0, core0]
                failover: {mode: kernel, timeout: 500}
                rules:
                  - name: guests
                    match: {vlan: 20}
                    action: forward
                  - name: netbios
                    match: {ip_protocol: udp, dst_port: [137, 138], l2_dst: broadcast}
                    action: drop
                  - name: nlb
                    match: {nlb: unicast}
                    action: drop
                """);
        CommandRun run = CommandRun.of("check", "-c", file.toString());
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        List<String> lines = run.outLines();
        assertEquals("failover: kernel (500 ms): while quietbridge does not forward, the kernel does, with 0 of 3 rules",
                lines.get(4), run.out());
        assertTrue(lines.get(5).startsWith("  not carried: guests (vlan:"), lines.get(5));
        assertEquals("  not carried: netbios (it comes after guests, which the stand-in cannot carry)", lines.get(6));
        assertTrue(lines.get(7).startsWith("  not carried: nlb (nlb:"), lines.get(7));
    }

    @Test
    void saysTheStandInHasNoStormControl() throws IOException {
        Path file = write("bridge.yaml", """
                ports: [ap0, core0]
                storm_control:
                  - {port: ap0, class: broadcast, pps: 500}
                """);
        CommandRun run = CommandRun.of("check", "-c", file.toString());
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        assertEquals("  not carried: storm control on ap0 broadcast (500 frames/s; the kernel's stand-in has no rate"
                + " limits)", run.outLines().getLast(), run.out());
    }

    @Test
    void saysWhenNothingStandsIn() throws IOException {
        Path file = write("bridge.yaml", "ports: [ap0, core0]\nfailover: off\n");
        CommandRun run = CommandRun.of("check", "-c", file.toString());
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        assertEquals("failover: off: nothing forwards while quietbridge does not", run.outLines().getLast());
    }

    @Test
    void checksEveryShippedExample() throws IOException {
        try (var examples = Files.list(CommandRun.repositoryRoot().resolve("examples"))) {
            List<Path> files = examples.filter(p -> p.toString().endsWith(".yaml")).toList();
            assertTrue(files.size() >= 2, "examples: " + files);
            for (Path file : files) {
                CommandRun run = CommandRun.of("check", "--config", file.toString());
                assertEquals(ExitCode.OK, run.exitCode(), file + ": " + run.err());
                assertTrue(run.out().startsWith(file + ": "), run.out());
            }
        }
    }

    @Test
    void namesSubnetsAndMonitorModeInTheHeader() throws IOException {
        Path file = write("rules.yaml", """
                mode: monitor
                subnets: [10.8.0.0/16, 192.168.1.0/24]
                rules:
                  - name: netbios
                    match: {ip_protocol: udp, dst_port: [137, 138], l2_dst: broadcast}
                    action: drop
                """);
        CommandRun run = CommandRun.of("check", "-c", file.toString());
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        assertEquals(file + ": 1 rule, mode monitor, subnets 10.8.0.0/16, 192.168.1.0/24", run.outLines().get(0));
        assertEquals(2, run.outLines().size() - 2, run.out());
        assertEquals("  carried: netbios (forward)", run.outLines().getLast(), "monitor mode drops nothing");
    }

    @Test
    void saysWhenTheDefaultRulesApply() throws IOException {
        Path file = write("only-mode.yaml", "mode: enforce\nsubnets: [10.8.0.0/16]\n");
        CommandRun run = CommandRun.of("check", "-c", file.toString());
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        assertEquals(file + ": 2 rules, mode enforce, subnets 10.8.0.0/16, default rules (the file has no 'rules:')",
                run.outLines().get(0));
    }

    @Test
    void reportsASemanticErrorAsFileLineColumnAloneWithExitTwo() throws IOException {
        Path file = write("bad.yaml", """
                mode: enforce
                rules:
                  - name: x
                    action: explode
                    match: {}
                """);
        CommandRun run = CommandRun.of("check", "-c", file.toString());
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertEquals("", run.out());
        assertEquals(file + ":4:13: unknown action 'explode'; valid: drop, forward, count" + System.lineSeparator(),
                run.err());
    }

    @Test
    void reportsBrokenYamlSyntaxAsOneFileLineColumnLine() throws IOException {
        Path file = write("broken.yaml", "mode: enforce\nrules: [\n  {name: a\n");
        CommandRun run = CommandRun.of("check", "-c", file.toString());
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertEquals("", run.out());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith(file + ":"), run.err());
        assertTrue(run.err().strip().matches("\\Q" + file + "\\E:\\d+:\\d+: \\S.*"), run.err());
    }

    @Test
    void reportsAMissingFileInOneLine() {
        Path missing = dir.resolve("nope.yaml");
        CommandRun run = CommandRun.of("check", "-c", missing.toString());
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertEquals("quietbridge: cannot read " + missing + ": No such file" + System.lineSeparator(), run.err());
    }

    @Test
    void reportsADirectoryInOneLine() {
        CommandRun run = CommandRun.of("check", "-c", dir.toString());
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertEquals("quietbridge: cannot read " + dir + ": Is a directory" + System.lineSeparator(), run.err());
    }

    @Test
    void reportsAMissingFileAsAOneLineUsageErrorWithExitTwo() {
        CommandRun run = CommandRun.of("check");
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertEquals("quietbridge: missing the file to check: -c FILE (see 'quietbridge check --help')"
                + System.lineSeparator(), run.err());
    }

    @Test
    void takesTheFileWithOrWithoutDashC() {
        Path example = CommandRun.repositoryRoot().resolve("examples").resolve("netbios-default.yaml");
        CommandRun plain = CommandRun.of("check", example.toString());
        CommandRun dashed = CommandRun.of("check", "-c", example.toString());
        assertEquals(ExitCode.OK, plain.exitCode());
        assertEquals(dashed.out(), plain.out());
        CommandRun both = CommandRun.of("check", "-c", example.toString(), example.toString());
        assertEquals(ExitCode.BAD_INPUT, both.exitCode());
        assertEquals("quietbridge: give the file once: -c FILE or FILE (see 'quietbridge check --help')"
                + System.lineSeparator(), both.err());
    }

    @Test
    void aBridgeConfigurationIsCheckedWholeAndNamesItsPorts() {
        CommandRun run = CommandRun.of("check", CommandRun.repositoryRoot().resolve("examples").resolve("two-port.yaml").toString());
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        assertTrue(run.out().startsWith(CommandRun.repositoryRoot().resolve("examples").resolve("two-port.yaml") + ": 2 rules, mode enforce, subnets none,"
                + " default rules (the file has no 'rules:'), ports eth1, eth2"), run.out());
    }

    @Test
    void reportsAMissingOrUnknownCommandAsAOneLineUsageError() {
        for (String[] args : List.of(new String[0], new String[] {"frobnicate"}, new String[] {"check", "-c"})) {
            CommandRun run = CommandRun.of(args);
            assertEquals(ExitCode.BAD_INPUT, run.exitCode(), String.join(" ", args));
            assertEquals(1, run.err().lines().count(), run.err());
            assertTrue(run.err().startsWith("quietbridge: "), run.err());
        }
    }

    @Test
    void suggestsTheCommandAMistypedOneWasMeantToBe() {
        CommandRun run = CommandRun.of("chek", "-c", "x.yaml");
        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().contains("did you mean check"), run.err());
    }

    @Test
    void printsHelpAndExitsZero() {
        CommandRun run = CommandRun.of("--help");
        assertEquals(ExitCode.OK, run.exitCode());
        assertTrue(run.out().contains("check"), run.out());
        assertTrue(run.out().contains("explain"), run.out());
        assertTrue(run.out().contains("2   bad input"), run.out());
    }
}
