package org.quietbridge.it.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.quietbridge.it.LabFixture;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.CommandRunner;

/**
 * The Debian package {@code mvn package} makes (module packaging): its control fields, its files where
 * Debian keeps them, the configuration as a conffile, and its own Java runtime, which runs quietbridge
 * from the unpacked package with no JDK involved. Read with dpkg-deb; nothing is installed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DebPackageTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    /** The one package the build made. */
    static Path deb() throws IOException {
        try (Stream<Path> files = Files.list(LabFixture.repoRoot().resolve("packaging/target"))) {
            List<Path> debs = files.filter(f -> f.getFileName().toString().matches("quietbridge_.*_amd64\\.deb")).toList();
            assertEquals(1, debs.size(), "one package in packaging/target: " + debs);
            return debs.getFirst();
        }
    }

    private static CommandResult run(String... argv) {
        return CommandRunner.run(List.of(argv), LIMIT).orThrow();
    }

    @Test
    void holdsItsFilesItsConffileAndItsOwnRuntime() throws IOException {
        Path deb = deb();
        System.out.printf("the Debian package: %s, %.1f MiB%n", deb.getFileName(), Files.size(deb) / 1048576.0);

        assertEquals("quietbridge", run("dpkg-deb", "-f", deb.toString(), "Package").stdout().strip());
        assertEquals("amd64", run("dpkg-deb", "-f", deb.toString(), "Architecture").stdout().strip());
        assertTrue(run("dpkg-deb", "-f", deb.toString(), "Version").stdout().strip().startsWith("0.1.0"));
        assertTrue(run("dpkg-deb", "-f", deb.toString(), "Depends").stdout().contains("nftables"));

        String contents = run("dpkg-deb", "-c", deb.toString()).stdout();
        for (String file : List.of("./usr/bin/quietbridge", "./lib/systemd/system/quietbridge.service",
                "./etc/quietbridge/quietbridge.yaml", "./usr/lib/quietbridge/runtime/bin/java",
                "./usr/lib/quietbridge/lib/quietbridge.jar", "./usr/share/man/man1/quietbridge.1",
                "./usr/share/doc/quietbridge/README.md", "./usr/share/quietbridge/monitoring/grafana/quietbridge.json",
                "./usr/share/quietbridge/monitoring/prometheus/quietbridge.rules.yml")) {
            assertTrue(contents.lines().anyMatch(l -> l.endsWith(" " + file)), file + " in:\n" + contents);
        }
        for (String program : List.of("./usr/bin/quietbridge", "./usr/lib/quietbridge/runtime/bin/java",
                "./usr/lib/quietbridge/runtime/lib/jspawnhelper")) {
            assertTrue(contents.lines().anyMatch(l -> l.startsWith("-rwxr-xr-x") && l.endsWith(" " + program)),
                    program + " is executable");
        }
        assertTrue(contents.lines().anyMatch(l -> l.startsWith("-rw-r--r--")
                && l.endsWith(" ./usr/lib/quietbridge/runtime/lib/modules")), "data is not");

        Path control = tmp.resolve("control");
        run("dpkg-deb", "-e", deb.toString(), control.toString());
        assertEquals("/etc/quietbridge/quietbridge.yaml", Files.readString(control.resolve("conffiles")).strip(),
                "the configuration is a conffile: an upgrade keeps an edited one");
        assertTrue(Files.readString(control.resolve("postinst")).contains("adduser --system"), "a user of its own");
        String postinst = Files.readString(control.resolve("postinst"));
        for (String starts : List.of("systemctl enable", "deb-systemd-helper enable", "systemctl start",
                "deb-systemd-invoke start", "invoke-rc.d")) {
            assertTrue(!postinst.contains(starts), "installing neither enables nor starts the service: " + starts);
        }
        assertTrue(Files.readString(control.resolve("postrm")).contains("purge"), "purge removes what it made");

        // The runtime in the package runs quietbridge: no JDK from the machine is used.
        Path root = tmp.resolve("root");
        run("dpkg-deb", "-x", deb.toString(), root.toString());
        Path java = root.resolve("usr/lib/quietbridge/runtime/bin/java");
        Path jar = root.resolve("usr/lib/quietbridge/lib/quietbridge.jar");
        List<String> quietbridge = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-jar", jar.toString()));
        String version = run(java.toString(), "-version").stderr();
        assertTrue(version.contains("25"), version);
        List<String> versionCommand = new ArrayList<>(quietbridge);
        versionCommand.add("--version");
        assertTrue(CommandRunner.run(versionCommand, LIMIT).orThrow().stdout().startsWith("quietbridge "));
        List<String> check = new ArrayList<>(quietbridge);
        check.addAll(List.of("check", "-c", root.resolve("etc/quietbridge/quietbridge.yaml").toString()));
        CommandResult checked = CommandRunner.run(check, LIMIT);
        assertEquals(0, checked.exitCode(), checked.stdout() + checked.stderr());
        assertTrue(checked.stdout().contains("failover: kernel"), checked.stdout());
        try (Stream<Path> runtimeFiles = Files.walk(root.resolve("usr/lib/quietbridge/runtime"))) {
            assertTrue(runtimeFiles.noneMatch(p -> p.getFileName().toString().equals("javac")), "a runtime, not a JDK");
        }
        try (Stream<Path> all = Files.walk(tmp)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
