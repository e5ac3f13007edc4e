package org.quietbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.CommandRunner;
import org.quietbridge.lab.Role;

/**
 * One {@code quietbridge run -c FILE} process in the lab's bridge namespace, driven the way an
 * operator or systemd drives it: started with a config, ready when it prints its
 * "forwarding between" line, stopped with SIGTERM (or SIGINT), and judged by its exit status
 * and the counters it prints on the way out.
 */
public final class BridgeProcess implements AutoCloseable {
    /** The readiness line's fixed part for the lab's two ports. */
    public static final String READY_LINE = "forwarding between ap0 and core0";
    /** JVM start-up on a loaded two-core machine takes seconds; this is the backstop, not the expectation. */
    public static final Duration READY_LIMIT = Duration.ofSeconds(60);
    /** SIGTERM to exit: closing the rings and printing the summary. */
    public static final Duration STOP_LIMIT = Duration.ofSeconds(30);

    /** The line {@code run} prints once the management API listens (the lab's default address). */
    public static final String API_LINE = "dashboard and API on http://127.0.0.1:9700/";

    private final Process process;
    private final Path log;
    private final Path config;
    private Stopped stopped;

    /** How a bridge ended. {@code output} is everything it wrote to stderr (and stdout). */
    public record Stopped(int exitCode, String output, BridgeSummary summary) {
        /** Asserts a clean stop: exit 0 and a summary with both ports. */
        public Stopped assertClean() {
            assertEquals(0, exitCode, "the bridge did not exit 0 after the stop signal:\n" + output);
            summary.counter("ap0", "rx_frames");
            summary.counter("core0", "rx_frames");
            return this;
        }
    }

    private BridgeProcess(Process process, Path log, Path config) {
        this.process = process;
        this.log = log;
        this.config = config;
    }

    /**
     * Writes {@code configYaml} to {@code <name>.yaml}, starts the bridge on it with its output
     * in a log of its own ({@code <name>.log}, or {@code <name>-N.log} when a bridge of that
     * name ran before), and waits for the readiness line in it.
     *
     * @param environment {@code NAME=value} words for {@code env(1)}, e.g. NOTIFY_SOCKET
     */
    public static BridgeProcess start(LabFixture fixture, String name, String configYaml, List<String> environment) {
        BridgeProcess bridge = launch(fixture, name, configYaml, environment);
        bridge.awaitReady();
        return bridge;
    }

    /**
     * {@link #start} with more words for {@code run} after {@code -c FILE} (e.g. {@code --dump-dir
     * DIR}), waiting also for the management API's line: a test that talks to the API starts
     * with it listening.
     */
    public static BridgeProcess startWithApi(LabFixture fixture, String name, String configYaml, String... runArguments) {
        BridgeProcess bridge = launch(fixture, name, configYaml, List.of(), List.of(runArguments));
        bridge.awaitReady();
        Await.until(READY_LIMIT, () -> "the bridge's line \"" + API_LINE + "\"; it wrote:\n" + bridge.output(),
                () -> bridge.output().contains(API_LINE));
        return bridge;
    }

    /** {@link #start} without waiting for readiness: the caller waits, for example on READY=1. */
    public static BridgeProcess launch(LabFixture fixture, String name, String configYaml, List<String> environment) {
        return launch(fixture, name, configYaml, environment, List.of());
    }

    private static BridgeProcess launch(LabFixture fixture, String name, String configYaml, List<String> environment,
            List<String> runArguments) {
        Path config = fixture.write(name + ".yaml", configYaml);
        Path log = fixture.freshPath(name, "log");
        List<String> argv = new ArrayList<>();
        if (!environment.isEmpty()) {
            argv.add("env");
            argv.addAll(environment);
        }
        argv.addAll(List.of(LabFixture.launcher(), "run", "-c", config.toString()));
        argv.addAll(runArguments);
        Process process = fixture.lab().start(Role.BR, log, argv.toArray(String[]::new));
        return fixture.own(new BridgeProcess(process, log, config));
    }

    /**
     * Starts {@code command} (a bridge's own command line: a wrapper, a launcher, {@code run -c FILE} and
     * more) in the bridge namespace, with its output in a log of its own, without waiting for readiness.
     * {@code config} is the file the command runs on (for {@link #config()}).
     */
    public static BridgeProcess launchCommand(LabFixture fixture, String name, Path config, List<String> command) {
        Path log = fixture.freshPath(name, "log");
        Process process = fixture.lab().start(Role.BR, log, command.toArray(String[]::new));
        return fixture.own(new BridgeProcess(process, log, config));
    }

    /**
     * Runs the bridge on {@code configYaml} to its end, for start-up failures: stdout and stderr
     * apart. {@code wrapper} goes before the launcher (e.g. setpriv ...).
     */
    public static CommandResult runToExit(LabFixture fixture, String name, String configYaml, String... wrapper) {
        Path config = fixture.write(name + ".yaml", configYaml);
        List<String> argv = new ArrayList<>(List.of(wrapper));
        argv.addAll(List.of(LabFixture.launcher(), "run", "-c", config.toString()));
        return fixture.lab().exec(Role.BR, READY_LIMIT, argv.toArray(String[]::new));
    }

    /** Waits for the readiness line; fails at once if the bridge exits first. */
    public void awaitReady() {
        Await.until(READY_LIMIT, () -> "the bridge's readiness line \"" + READY_LINE + "\"; it wrote:\n" + output(),
                () -> {
                    if (output().contains(READY_LINE)) {
                        return true;
                    }
                    if (!process.isAlive()) {
                        fail("the bridge exited with " + process.exitValue() + " before it was ready:\n" + output());
                    }
                    return false;
                });
    }

    /** The bridge's JVM: {@code ip netns exec} and the launcher both exec, so this is java itself. */
    public long pid() {
        return process.pid();
    }

    /** The file its output goes to, as it writes it. */
    public Path log() {
        return log;
    }

    /** The configuration file it runs on (a reload re-reads it). */
    public Path config() {
        return config;
    }

    /** Sends {@code signal} ("HUP", "USR1") to the bridge, as {@code systemctl reload} or an operator's kill does. */
    public void signal(String signal) {
        CommandRunner.run(List.of("kill", "-s", signal, Long.toString(process.pid())), Duration.ofSeconds(10)).orThrow();
    }

    /** CPU time the bridge's JVM has used so far, all threads (from /proc/PID/stat). */
    public Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration()
                .orElseThrow(() -> new IllegalStateException("no CPU time for pid " + process.pid()));
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the bridge has written so far. */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM, as systemd stops a service; waits for the exit. */
    public Stopped stop() {
        if (stopped == null) {
            process.destroy(); // SIGTERM
            stopped = awaitExit("SIGTERM");
        }
        return stopped;
    }

    /** SIGINT, as Ctrl-C in a terminal; waits for the exit. */
    public Stopped interrupt() {
        if (stopped == null) {
            CommandRunner.run(List.of("kill", "-s", "INT", Long.toString(process.pid())), Duration.ofSeconds(10)).orThrow();
            stopped = awaitExit("SIGINT");
        }
        return stopped;
    }

    private Stopped awaitExit(String signal) {
        try {
            if (!process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                fail("the bridge did not exit within " + STOP_LIMIT.toSeconds() + " s of " + signal
                        + " (killed):\n" + output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            fail("interrupted while waiting for the bridge to exit", e);
        }
        String output = output();
        return new Stopped(process.exitValue(), output, BridgeSummary.parse(output));
    }

    /** Stops a bridge a test left running (a failed test); nothing when it has ended. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
