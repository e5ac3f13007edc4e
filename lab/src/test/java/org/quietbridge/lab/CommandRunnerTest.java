package org.quietbridge.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CommandRunnerTest {
    private static final Duration LIMIT = Duration.ofSeconds(10);

    @Test
    void capturesBothStreamsAndTheExitCode() {
        CommandResult result = CommandRunner.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), LIMIT);

        assertEquals(3, result.exitCode());
        assertEquals("out\n", result.stdout());
        assertEquals("err\n", result.stderr());
        assertFalse(result.succeeded());
    }

    @Test
    void orThrowNamesTheCommandAndItsFirstErrorLine() {
        CommandResult result = CommandRunner.run(List.of("sh", "-c", "echo 'no such device' >&2; exit 1"), LIMIT);

        LabException e = assertThrows(LabException.class, result::orThrow);
        assertEquals("sh -c echo 'no such device' >&2; exit 1: exit 1: no such device", e.getMessage());
    }

    @Test
    void drainsOutputLargerThanAPipeBuffer() {
        // 1 MiB on each stream: more than the 64 KiB a Linux pipe holds, so reading one stream
        // after the other would deadlock.
        CommandResult result = CommandRunner.run(
                List.of("sh", "-c", "head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2"), LIMIT);

        assertEquals(1 << 20, result.stdout().length());
        assertEquals(1 << 20, result.stderr().length());
    }

    @Test
    void killsACommandThatOverrunsItsLimit() {
        long started = System.nanoTime();

        LabException e = assertThrows(LabException.class,
                () -> CommandRunner.run(List.of("sleep", "30"), Duration.ofMillis(200)));

        assertTrue(e.getMessage().startsWith("timed out after 200 ms: sleep 30"), e.getMessage());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10), "returned long after the limit");
    }

    @Test
    void givesTheCommandNoStandardInput() {
        CommandResult result = CommandRunner.run(List.of("cat"), LIMIT);

        assertEquals(0, result.exitCode());
        assertEquals("", result.stdout());
    }

    @Test
    void reportsAProgramThatDoesNotExist() {
        LabException e = assertThrows(LabException.class,
                () -> CommandRunner.run(List.of("/nonexistent/quietbridge-no-such-program"), LIMIT));

        assertTrue(e.getMessage().startsWith("cannot start /nonexistent/quietbridge-no-such-program"), e.getMessage());
    }

    @Test
    void terminateEndsTheProcessAndWhatItForked() throws Exception {
        Process shell = CommandRunner.start(new ProcessBuilder("sh", "-c", "sleep 60 & wait"));
        ProcessHandle child = awaitChild(shell.toHandle());

        assertTrue(CommandRunner.terminate(shell.toHandle(), Duration.ofSeconds(3)));

        assertFalse(CommandRunner.running(child), "the forked sleep still runs");
        assertFalse(shell.isAlive());
    }

    private static ProcessHandle awaitChild(ProcessHandle parent) throws InterruptedException {
        while (true) {
            var children = parent.children().toList();
            if (!children.isEmpty()) {
                return children.getFirst();
            }
            Thread.sleep(10);
        }
    }
}
