package org.quietbridge.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.Lab;
import org.quietbridge.lab.LabOptions;
import org.quietbridge.lab.Role;

/**
 * One test class's namespace lab and its work folder: configurations, bridge logs, captures
 * and helper scripts go to {@code integration-tests/target/e2e/<name>/}, where they stay for
 * a post-mortem after a failure ({@code mvn clean} removes them).
 *
 * <p>The namespaces are {@code qbit-<pid>-<name>-{ap,br,core}}: unique per test JVM and per
 * class. A test class gets one with {@link LabTest}; {@link #close()} stops what the lab started and
 * removes the namespaces, after the class's {@code @AfterAll} methods ({@link LabExtension}), and the
 * lab's own JVM shutdown hook covers a run that dies first.
 */
public final class LabFixture implements AutoCloseable {
    private static final Path REPO_ROOT = findRepoRoot();

    private final String prefix;
    private final Lab lab;
    private final Path dir;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private FrameSender sender;

    private LabFixture(String prefix, Lab lab, Path dir) {
        this.prefix = prefix;
        this.lab = lab;
        this.dir = dir;
    }

    /**
     * Builds a lab for one test class; skips the class (JUnit assumption) when not root.
     *
     * @param name    a short tag, {@code [a-z0-9]}, at most 8 characters
     * @param options the lab's options (the hosts' offloads off, say)
     */
    public static LabFixture open(String name, LabOptions options) {
        assumeTrue(Lab.runningAsRoot(),
                "skipped: the end-to-end tests need root to create network namespaces and veth links");
        String prefix = "qbit-" + ProcessHandle.current().pid() + "-" + name;
        Path dir = REPO_ROOT.resolve("integration-tests/target/e2e").resolve(name);
        deleteTree(dir);
        try {
            Files.createDirectories(dir);
            // World-readable: one test runs the bridge as nobody, and it must read its config.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Lab.destroy(prefix); // what a crashed JVM with the same PID left behind
        Lab lab = Lab.create(prefix, options);
        return new LabFixture(prefix, lab, dir);
    }

    public Lab lab() {
        return lab;
    }

    /** This class's work folder (absolute). */
    public Path dir() {
        return dir;
    }

    public static Path repoRoot() {
        return REPO_ROOT;
    }

    /** The launcher, {@code bin/quietbridge}, of the working tree under test. */
    public static String launcher() {
        return REPO_ROOT.resolve("bin/quietbridge").toString();
    }

    /** The system Python (a pyenv shim on PATH would start a shell first, and slowly). */
    public static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** Writes a world-readable file in the work folder and returns its absolute path. */
    public Path write(String fileName, String content) {
        Path file = dir.resolve(fileName);
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * A path in the work folder that no earlier run in this class used: {@code base.ext}, else
     * {@code base-2.ext}, {@code base-3.ext}... Logs are appended to, and a readiness line
     * that an earlier process left in a reused log would be taken for the new one's.
     */
    public synchronized Path freshPath(String base, String ext) {
        Path path = dir.resolve(base + "." + ext);
        for (int n = 2; Files.exists(path); n++) {
            path = dir.resolve(base + "-" + n + "." + ext);
        }
        try {
            Files.createFile(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return path;
    }

    /** Runs a command in a namespace and fails the test, with its output, unless it exits 0. */
    public CommandResult run(Role role, String... argv) {
        return lab.exec(role, argv).orThrow();
    }

    /**
     * Runs {@code bin/quietbridge ARGS} in the bridge namespace to its end, whatever its exit
     * status (the caller judges it). {@code environment} words ({@code NAME=value}) go to
     * {@code env(1)} first.
     */
    public CommandResult quietbridge(List<String> environment, String... args) {
        List<String> argv = new ArrayList<>();
        if (!environment.isEmpty()) {
            argv.add("env");
            argv.addAll(environment);
        }
        argv.add(launcher());
        argv.addAll(List.of(args));
        return lab.exec(Role.BR, BridgeProcess.READY_LIMIT, argv.toArray(String[]::new));
    }

    /** Starts {@code quietbridge run} in the bridge namespace and waits until it forwards. */
    public BridgeProcess startBridge(String name, String configYaml) {
        return BridgeProcess.start(this, name, configYaml, List.of());
    }

    /** Starts a capture of what {@code host}'s eth0 receives; {@link #close()} stops it if the test does not. */
    public Capture capture(Role host, String name) {
        Capture capture = Capture.start(this, host, name);
        owned.add(capture);
        return capture;
    }

    /** {@link #capture(Role, String)} of only the frames that match a pcap-filter(7) expression. */
    public Capture capture(Role host, String name, String filter) {
        Capture capture = Capture.start(this, host, name, filter);
        owned.add(capture);
        return capture;
    }

    /** Sends crafted frames out of a host's eth0. */
    public synchronized FrameSender sender() {
        if (sender == null) {
            sender = new FrameSender(this);
        }
        return sender;
    }

    /** Closes {@code resource} with this fixture, before the namespaces go. */
    public <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable resource : owned.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                failure = chain(failure, e);
            }
        }
        owned.clear();
        try {
            lab.close();
        } catch (RuntimeException e) {
            failure = chain(failure, e);
        } finally {
            try {
                Lab.destroy(prefix);
            } catch (RuntimeException e) {
                failure = chain(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException chain(RuntimeException first, Exception next) {
        if (first == null) {
            return next instanceof RuntimeException r ? r : new IllegalStateException(next);
        }
        first.addSuppressed(next);
        return first;
    }

    /** The working tree's root: the first folder upwards from here that holds bin/quietbridge. */
    private static Path findRepoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("bin/quietbridge")) && Files.isDirectory(p.resolve("integration-tests"))) {
                return p;
            }
        }
        throw new IllegalStateException("no bin/quietbridge above " + Path.of("").toAbsolutePath());
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + root, e);
        }
    }
}
