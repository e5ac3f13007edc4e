package org.quietbridge.lab;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Runs one external command to completion, with a time limit, and captures what it printed.
 *
 * <p>The command gets no standard input ({@code /dev/null}) and {@code LC_ALL=C}, so that the
 * output of {@code ip}, {@code ethtool} and friends is the untranslated text the lab parses.
 * Both output streams are drained concurrently, so a chatty command cannot fill a pipe and
 * stall. A command that overruns its limit is killed, with every process it forked.
 */
public final class CommandRunner {
    private static final File DEV_NULL = new File("/dev/null");
    /** How long the output may stay open after the command exited (a forked child may hold it). */
    private static final Duration OUTPUT_GRACE = Duration.ofSeconds(2);
    private static final Duration EXIT_POLL = Duration.ofMillis(10);

    private CommandRunner() {
    }

    /**
     * Runs {@code command} and waits for it at most {@code timeout}.
     *
     * @throws LabException when the command cannot be started, overruns {@code timeout}, or
     *                      exits while a child it left behind still holds its output open
     */
    public static CommandResult run(List<String> command, Duration timeout) {
        Process process = start(new ProcessBuilder(command));
        FutureTask<byte[]> stdout = drain(process.getInputStream());
        FutureTask<byte[]> stderr = drain(process.getErrorStream());
        String line = String.join(" ", command);
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                kill(process.toHandle());
                throw new LabException("timed out after " + timeout.toMillis() + " ms: " + line);
            }
            return new CommandResult(command, process.exitValue(), text(stdout, line), text(stderr, line));
        } catch (InterruptedException e) {
            kill(process.toHandle());
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running: " + line, e);
        }
    }

    /** Starts a process from {@code builder} with no standard input and {@code LC_ALL=C}. */
    static Process start(ProcessBuilder builder) {
        builder.redirectInput(Redirect.from(DEV_NULL));
        builder.environment().put("LC_ALL", "C");
        try {
            return builder.start();
        } catch (IOException e) {
            throw new LabException("cannot start " + String.join(" ", builder.command()) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Ends {@code process} and every process it forked: SIGTERM first, SIGKILL for whatever is
     * still alive after {@code grace}.
     *
     * @return whether the process is gone
     */
    static boolean terminate(ProcessHandle process, Duration grace) {
        List<ProcessHandle> family = familyOf(process);
        family.forEach(ProcessHandle::destroy);
        if (!awaitExit(family, grace)) {
            family.forEach(ProcessHandle::destroyForcibly);
            awaitExit(family, grace);
        }
        return !running(process);
    }

    /** Ends {@code process} and every process it forked with SIGKILL. */
    static void kill(ProcessHandle process) {
        List<ProcessHandle> family = familyOf(process);
        family.forEach(ProcessHandle::destroyForcibly);
        awaitExit(family, OUTPUT_GRACE);
    }

    /** The process and a snapshot of its descendants, taken before any of them is signalled. */
    private static List<ProcessHandle> familyOf(ProcessHandle process) {
        return Stream.concat(Stream.of(process), process.descendants()).toList();
    }

    /**
     * Waits until every process in {@code family} is gone, or {@code limit} passed. Polls:
     * {@link ProcessHandle#onExit()} also polls for processes that are not the JVM's children,
     * at intervals that grow to seconds.
     */
    private static boolean awaitExit(List<ProcessHandle> family, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (family.stream().anyMatch(CommandRunner::running)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(EXIT_POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code process} still runs. A zombie does not: it has already left its namespaces
     * and released its files, and only waits to be reaped. That matters for the children of a
     * process we ended: they are reparented to PID 1, and {@link ProcessHandle#isAlive()} is true
     * until PID 1 reaps them, which on some machines takes a second.
     */
    static boolean running(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            // proc(5): "pid (comm) state ...", and comm may itself contain ") ".
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException e) {
            return process.isAlive();
        }
    }

    private static FutureTask<byte[]> drain(InputStream stream) {
        FutureTask<byte[]> task = new FutureTask<>(() -> {
            try (stream) {
                return stream.readAllBytes();
            }
        });
        Thread.ofVirtual().name("command-output").start(task);
        return task;
    }

    private static String text(FutureTask<byte[]> output, String line) throws InterruptedException {
        try {
            return new String(output.get(OUTPUT_GRACE.toNanos(), TimeUnit.NANOSECONDS), StandardCharsets.UTF_8);
        } catch (TimeoutException e) {
            output.cancel(true);
            throw new LabException("exited, but a process it left behind still holds its output open"
                    + " (use Lab.start for daemons): " + line, e);
        } catch (ExecutionException e) {
            throw new LabException("cannot read the output of " + line + ": " + e.getCause().getMessage(), e.getCause());
        }
    }
}
