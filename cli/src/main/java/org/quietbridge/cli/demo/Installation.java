package org.quietbridge.cli.demo;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where this quietbridge runs from, so that it can start itself again as a separate process: the
 * lab demo runs {@code quietbridge run} inside the bridge's namespace, where it has to be its own
 * process (a JVM cannot move into another network namespace).
 *
 * <p>The new process gets this JVM's {@code java} binary and class path: under
 * {@code bin/quietbridge} that is {@code cli/target/quietbridge.jar}, whose manifest names its
 * {@code lib/}; under Maven's surefire it is the manifest-only booter jar. Both work with
 * {@code -cp}. The launcher script is not used for that, because it picks a JDK by itself and
 * could pick another one than the one running now.
 *
 * @param java           the {@code java} binary of this JVM
 * @param classPath      this JVM's class path, every entry absolute
 * @param repositoryRoot the checkout this runs from, when it holds {@code bin/quietbridge}
 */
public record Installation(Path java, String classPath, Optional<Path> repositoryRoot) {
    /** The main class a new JVM starts: the {@code quietbridge} command line. */
    static final String MAIN_CLASS = "org.quietbridge.cli.Main";
    /** FFM downcalls from the data plane without a warning; bin/quietbridge passes the same flag. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    private static final String LAUNCHER = "bin/quietbridge";

    /** This JVM's installation. */
    public static Installation current() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classPath = Arrays.stream(System.getProperty("java.class.path", "").split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString())
                .collect(Collectors.joining(File.pathSeparator));
        return new Installation(java, classPath, codeLocation().flatMap(Installation::checkoutOf));
    }

    /** The argument vector that runs {@code quietbridge args...} in a new JVM like this one. */
    public List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(java.toString(), NATIVE_ACCESS, "-cp", classPath, MAIN_CLASS));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * How a person runs {@code quietbridge} from {@code cwd}: {@code bin/quietbridge} (relative when
     * {@code cwd} is the checkout), else the java command line.
     */
    public String launcherFor(Path cwd) {
        // A name without a slash would be looked up on PATH: "./quietbridge" from bin/.
        return repositoryRoot.map(root -> shortest(root.resolve(LAUNCHER), cwd))
                .map(launcher -> launcher.contains("/") ? launcher : "./" + launcher)
                .orElseGet(() -> java + " " + NATIVE_ACCESS + " -cp " + classPath + " " + MAIN_CLASS);
    }

    /** A file of the checkout's {@code examples/} folder, when this runs from a checkout that has it. */
    public Optional<Path> example(String name) {
        return repositoryRoot.map(root -> root.resolve("examples").resolve(name)).filter(Files::isRegularFile);
    }

    /**
     * {@code path} relative to {@code cwd} when it lies below it (and {@code cwd} is not {@code /}),
     * else absolute: what a person would type.
     */
    public static String shortest(Path path, Path cwd) {
        Path absolute = path.toAbsolutePath().normalize();
        Path base = cwd.toAbsolutePath().normalize();
        boolean below = base.getNameCount() > 0 && absolute.startsWith(base) && !absolute.equals(base);
        return below ? base.relativize(absolute).toString() : absolute.toString();
    }

    /** The jar, or the classes folder, that this class was loaded from. */
    private static Optional<Path> codeLocation() {
        CodeSource source = Installation.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(source.getLocation().toURI()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The checkout around {@code cli/target/quietbridge.jar} or {@code cli/target/classes}: three
     * levels up, when it holds the launcher script.
     */
    private static Optional<Path> checkoutOf(Path code) {
        Path root = code.toAbsolutePath().normalize();
        for (int up = 0; up < 3 && root != null; up++) {
            root = root.getParent();
        }
        return Optional.ofNullable(root).filter(dir -> Files.isExecutable(dir.resolve(LAUNCHER)));
    }
}
