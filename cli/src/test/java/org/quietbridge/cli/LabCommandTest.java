package org.quietbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What {@code quietbridge lab} does without building anything (no root needed). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LabCommandTest {
    @Test
    void listsItsThreeCommands() {
        CommandRun run = CommandRun.of("lab", "--help");

        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        for (String command : List.of("up", "down", "demo")) {
            assertTrue(run.out().lines().anyMatch(line -> line.startsWith("  " + command + " ")), run.out());
        }
    }

    @Test
    void saysWhichCommandsThereAreWhenNoneIsGiven() {
        CommandRun run = CommandRun.of("lab");

        assertEquals(ExitCode.BAD_INPUT, run.exitCode());
        assertEquals("quietbridge: missing command: one of up, down, demo, campus (see 'quietbridge lab --help')\n", run.err());
    }

    @Test
    void refusesAPrefixThatCannotNameANamespaceAsBadInput() {
        for (String command : List.of("up", "down", "demo")) {
            CommandRun run = CommandRun.of("lab", command, "--prefix", "../Etc");

            assertEquals(ExitCode.BAD_INPUT, run.exitCode(), command + ": " + run.err());
            assertEquals(1, run.err().lines().count(), run.err());
            assertTrue(run.err().startsWith("quietbridge: lab prefix \"../Etc\" must be 1 to 24 characters"), run.err());
        }
    }

    @Test
    void takesTheHostsOffloadsOnOrOffAndNothingElse() {
        CommandRun run = CommandRun.of("lab", "up", "--host-offloads", "maybe");

        assertEquals(ExitCode.BAD_INPUT, run.exitCode(), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().contains("'maybe' is not on or off"), run.err());
        CommandRun help = CommandRun.of("lab", "up", "--help");
        assertTrue(help.out().contains("--host-offloads=on|off"), help.out());
    }

    @Test
    void downIsAQuietNoOpWhenThereIsNoSuchLab() {
        assumeTrue(List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip").stream().map(Path::of)
                .anyMatch(Files::isExecutable), "iproute2 is not installed");

        CommandRun run = CommandRun.of("lab", "down", "--prefix", "qbunit-" + ProcessHandle.current().pid());

        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        assertEquals("no lab qbunit-" + ProcessHandle.current().pid() + " here: nothing to remove\n", run.out());
    }
}
