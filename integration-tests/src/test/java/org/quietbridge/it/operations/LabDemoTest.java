package org.quietbridge.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.cli.demo.Installation;
import org.quietbridge.cli.demo.LabDemo;
import org.quietbridge.lab.Lab;

/**
 * {@code quietbridge lab demo} as a newcomer runs it: {@code bin/quietbridge} in a real shell, the
 * packaged jar, the real bridge in its own JVM inside the lab, real nmbd, tcpdump, mausezahn and
 * iperf3. It must pass every check, tell so in its report, finish within a minute and leave no
 * namespace, folder or process behind, also when a signal cuts it short.
 */
class LabDemoTest {
    /** qbit-: .ci/run checks that no namespace of that prefix is left after the tests. */
    private static final String PREFIX = "qbit-" + ProcessHandle.current().pid() + "-demo";
    private static final Pattern VERDICT_SECONDS = Pattern.compile("^demo passed: all \\d+ checks ok in ([0-9.]+) s$");

    private static Path root;

    @BeforeAll
    static void locate() {
        assumeTrue(Lab.runningAsRoot(), "skipped: the lab demo needs root to create network namespaces");
        root = Path.of("").toAbsolutePath();
        while (root != null && !Files.isExecutable(root.resolve("bin/quietbridge"))) {
            root = root.getParent();
        }
        assertTrue(root != null, "no bin/quietbridge above " + Path.of("").toAbsolutePath());
        assertTrue(Files.isRegularFile(root.resolve("cli/target/quietbridge.jar")),
                "cli/target/quietbridge.jar is missing: run the tests through mvn verify, which packages it first");
    }

    @AfterEach
    void removeWhatTheDemoLeft() {
        Lab.destroy(PREFIX); // only matters when the demo failed to: the assertions below catch that
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void reportsWhatCrossedAndWhatWasDroppedAndRemovesTheLab() throws Exception {
        Demo demo = Demo.start(root, PREFIX);

        assertTrue(demo.process.waitFor(90, TimeUnit.SECONDS), "lab demo still runs after 90 s:\n" + demo.output());
        String report = demo.output();
        assertEquals(0, demo.process.exitValue(), report);
        assertFalse(report.contains(" FAIL "), report);

        assertLine(report, "ok    ping: 3 of 3 echo replies.*");
        assertLine(report, "ok    broadcast query, nmblookup -B 10\\.77\\.0\\.255 QBCORE: no answer: quietbridge dropped"
                + " the query");
        assertLine(report, "ok    unicast query, nmblookup -U 10\\.77\\.0\\.20 QBCORE: answered, 10\\.77\\.0\\.20"
                + " QBCORE<00>");
        assertLine(report, "ok    NetBIOS datagram, broadcast +10\\.77\\.0\\.255:138 +3 +0  dropped");
        assertLine(report, "ok    mDNS +224\\.0\\.0\\.251:5353 +3 +3  forwarded");
        assertLine(report, "ok    DHCP discover +255\\.255\\.255\\.255:67 +3 +3  forwarded");
        assertTrue(number(report, "ok    iperf3: (\\d+) Mbit/s received by .*") > 0, report);
        assertTrue(number(report, "ok    the NetBIOS rules dropped (\\d+) frames; .*") > 0, report);

        String verdict = report.lines().toList().getLast();
        Matcher seconds = VERDICT_SECONDS.matcher(verdict);
        assertTrue(seconds.matches(), report);
        assertTrue(Double.parseDouble(seconds.group(1)) < 60, "the demo must finish in under a minute: " + verdict);

        assertNothingLeft(report);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sigtermCutsTheDemoShortAndStillRemovesTheLab() throws Exception {
        Demo demo = Demo.start(root, PREFIX);
        assertTrue(demo.await(line -> line.contains("ok    ping: "), 60),
                "the demo did not get to its ping:\n" + demo.output());

        // SIGTERM to the demo's JVM alone, as kill(1) sends it. Not Process.destroy(): that also
        // closes the pipe the demo writes its report to.
        assertTrue(demo.process.toHandle().destroy(), "could not signal the demo");

        assertTrue(demo.process.waitFor(30, TimeUnit.SECONDS), "lab demo ignored SIGTERM:\n" + demo.output());
        String report = demo.output();
        assertEquals(1, demo.process.exitValue(), report);
        assertLine(report, "interrupted \\(SIGTERM\\): cleaning up");
        assertTrue(report.lines().toList().getLast().startsWith("demo interrupted (SIGTERM) in step "), report);
        assertNothingLeft(report);
    }

    /** In-process, with a "java" that exits at once: the bridge cannot start. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aBridgeThatDoesNotStartIsOneFailLineAndTheLabIsStillRemoved() {
        Installation current = Installation.current();
        Installation broken = new Installation(Path.of("/bin/false"), current.classPath(), current.repositoryRoot());
        StringWriter text = new StringWriter();

        int exitCode = new LabDemo(PREFIX, false, broken, new PrintWriter(text)).run();

        String report = text.toString();
        assertEquals(1, exitCode, report);
        assertLine(report, "FAIL  quietbridge did not start: it exited with status 1");
        assertEquals(1, report.lines().filter(line -> line.strip().startsWith("FAIL ")).count(), report);
        assertEquals("demo FAILED: 1 of 1 checks failed (the FAIL lines above)",
                report.lines().toList().getLast().replaceAll(" in [0-9.]+ s$", ""));
        assertNothingLeft(report);
    }

    private static void assertNothingLeft(String report) {
        assertEquals(List.of(), Lab.existingNamespaces(PREFIX), report);
        assertFalse(Files.exists(Path.of("/run/quietbridge/lab-" + PREFIX)), report);
        List<String> leftovers = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(line -> line.contains("lab-" + PREFIX + "/")
                        || (line.contains("org.quietbridge.cli.Main run")
                                && line.contains(root.resolve("examples/lab.yaml").toString()))).orElse(false))
                .filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
                .toList();
        assertEquals(List.of(), leftovers, "processes the demo left running");
    }

    private static void assertLine(String report, String regex) {
        Pattern pattern = Pattern.compile("^ *" + regex + "$");
        assertTrue(report.lines().anyMatch(line -> pattern.matcher(line).matches()),
                "no line matches /" + regex + "/ in:\n" + report);
    }

    private static long number(String report, String regex) {
        Pattern pattern = Pattern.compile("^ *" + regex + "$");
        return report.lines()
                .map(pattern::matcher)
                .filter(Matcher::matches)
                .map(m -> Long.parseLong(m.group(1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line matches /" + regex + "/ in:\n" + report));
    }

    /** {@code bin/quietbridge lab demo} running, with its output (stdout and stderr) read as it comes. */
    private record Demo(Process process, List<String> lines, CountDownLatch read) {
        static Demo start(Path root, String prefix) throws IOException {
            ProcessBuilder builder = new ProcessBuilder("bin/quietbridge", "lab", "demo", "--prefix", prefix)
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            // The launcher would pick the newest JDK under /usr/lib/jvm; test the one running the tests.
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().remove("QUIETBRIDGE_JAVA_OPTS");
            Demo demo = new Demo(builder.start(), new ArrayList<>(), new CountDownLatch(1));
            Thread.ofVirtual().start(() -> {
                try (BufferedReader reader = new BufferedReader(
                        new InputStreamReader(demo.process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        synchronized (demo.lines) {
                            demo.lines.add(line);
                            demo.lines.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // the demo ended
                } finally {
                    demo.read.countDown();
                }
            });
            return demo;
        }

        boolean await(Predicate<String> wanted, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            synchronized (lines) {
                while (lines.stream().noneMatch(wanted)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !process.isAlive()) {
                        return lines.stream().anyMatch(wanted);
                    }
                    lines.wait(Math.max(1, left / 1_000_000));
                }
                return true;
            }
        }

        /** Everything printed so far; all of it once the process has ended. */
        String output() throws InterruptedException {
            if (!process.isAlive()) {
                read.await(5, TimeUnit.SECONDS);
            }
            synchronized (lines) {
                return String.join("\n", lines) + "\n";
            }
        }
    }
}
