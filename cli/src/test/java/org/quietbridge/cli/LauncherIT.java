package org.quietbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bin/quietbridge} as operators do: a real bash, a real JVM, the packaged jar and
 * its {@code lib/}. Failsafe runs this after {@code package}, so the jar is the one just built.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LauncherIT {
    private static Path root;
    private static Path launcher;
    private static Path thisJdk;

    @TempDir
    Path dir;

    record Result(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void locate() {
        root = CommandRun.repositoryRoot();
        launcher = root.resolve("bin/quietbridge");
        thisJdk = Path.of(System.getProperty("java.home"));
        assumeTrue(Files.isRegularFile(root.resolve("cli/target/quietbridge.jar")),
                "cli/target/quietbridge.jar is built by package; run through mvn verify");
    }

    private static Result run(Path cwd, Map<String, String> env, Path command, String... args)
            throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(command.toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile());
        pb.environment().remove("JAVA_HOME");
        pb.environment().remove("QUIETBRIDGE_JVM_DIR");
        pb.environment().remove("QUIETBRIDGE_JAVA_OPTS");
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path out = Files.createTempFile("launcher", ".out");
        Path err = Files.createTempFile("launcher", ".err");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "launcher did not finish");
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void checksTheDefaultExampleFromTheRepositoryRoot() throws Exception {
        Result r = run(root, Map.of("JAVA_HOME", thisJdk.toString()), Path.of("bin/quietbridge"),
                "check", "-c", "examples/netbios-default.yaml");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("examples/netbios-default.yaml: 2 rules, mode enforce"), r.out());
    }

    @Test
    void worksThroughASymlinkFromAnotherDirectory() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("qb"), launcher);
        Path example = root.resolve("examples/netbios-default.yaml");
        Result r = run(dir, Map.of("JAVA_HOME", thisJdk.toString()), link, "check", "-c", example.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith(example + ": 2 rules"), r.out());
    }

    @Test
    void passesBadInputExitCodeAndOneLineThroughTheJvm() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "mode: sideways\n");
        Result r = run(dir, Map.of("JAVA_HOME", thisJdk.toString()), launcher, "check", "-c", bad.toString());
        assertEquals(2, r.exitCode());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith(bad + ":1:7: "), r.err());
    }

    @Test
    void picksTheNewestJdkUnderTheJvmFolderWhenJavaHomeIsTooOld() throws Exception {
        Path old = fakeJdk(dir.resolve("old-home"), "17.0.15");
        Path jvms = Files.createDirectories(dir.resolve("jvm"));
        fakeJdk(jvms.resolve("jdk-11"), "11.0.2");
        fakeJdk(jvms.resolve("jdk-1.8"), "1.8.0_402");
        Files.createSymbolicLink(jvms.resolve("real-25"), thisJdk);
        Result r = run(dir, Map.of("JAVA_HOME", old.toString(), "QUIETBRIDGE_JVM_DIR", jvms.toString()), launcher,
                "--version");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("quietbridge "), r.out());
    }

    @Test
    void saysWhichJdkItNeedsAndWhereItLookedWhenThereIsNone() throws Exception {
        Path jvms = Files.createDirectories(dir.resolve("jvm"));
        fakeJdk(jvms.resolve("jdk-17"), "17.0.15");
        Result r = run(dir, Map.of("QUIETBRIDGE_JVM_DIR", jvms.toString()), launcher, "--version");
        assertEquals(2, r.exitCode());
        assertEquals("", r.out());
        assertEquals("quietbridge: needs a JDK 25 or newer; none in JAVA_HOME (unset) or under " + jvms
                + " (install one there or set JAVA_HOME)\n", r.err());
    }

    @Test
    void tellsHowToBuildWhenTheJarIsMissing() throws Exception {
        Path copy = Files.createDirectories(dir.resolve("checkout/bin")).resolve("quietbridge");
        Files.copy(launcher, copy);
        assertTrue(copy.toFile().setExecutable(true));
        Result r = run(dir, Map.of("JAVA_HOME", thisJdk.toString()), copy, "--version");
        assertEquals(2, r.exitCode());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("mvn -q -DskipTests package"), r.err());
        assertTrue(r.err().startsWith("quietbridge: " + dir.toRealPath().resolve("checkout/cli/target/quietbridge.jar")),
                r.err());
    }

    /** A folder that looks like a JDK of {@code version} to the launcher (release file, bin/java). */
    private static Path fakeJdk(Path home, String version) throws IOException {
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\necho fake java >&2\nexit 97\n");
        assertTrue(java.toFile().setExecutable(true));
        return home;
    }
}
