package org.quietbridge.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class InstallationTest {
    @Test
    void startsQuietbridgeWithThisJavaAndClassPathAndNativeAccess() {
        Installation current = Installation.current();

        List<String> command = current.command("run", "-c", "lab.yaml");

        assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toString(), command.get(0));
        assertEquals(List.of("--enable-native-access=ALL-UNNAMED", "-cp"), command.subList(1, 3));
        for (String entry : command.get(3).split(File.pathSeparator)) {
            assertTrue(Path.of(entry).isAbsolute(), entry);
        }
        assertEquals(List.of("org.quietbridge.cli.Main", "run", "-c", "lab.yaml"), command.subList(4, 8));
    }

    @Test
    void findsTheCheckoutItRunsFromWithItsLauncherAndLabExample() {
        Installation current = Installation.current();

        Path root = current.repositoryRoot().orElseThrow();
        assertEquals(Optional.of(root.resolve("examples/lab.yaml")), current.example("lab.yaml"));
        assertEquals("bin/quietbridge", current.launcherFor(root));
        assertEquals(root.resolve("bin/quietbridge").toString(), current.launcherFor(Path.of("/")));
        assertEquals("./quietbridge", current.launcherFor(root.resolve("bin")));
    }

    @Test
    void writesAPathRelativeOnlyWhenItIsBelowTheWorkingDirectory() {
        assertEquals("examples/lab.yaml", Installation.shortest(Path.of("/src/qb/examples/lab.yaml"), Path.of("/src/qb")));
        assertEquals("/etc/lab.yaml", Installation.shortest(Path.of("/etc/lab.yaml"), Path.of("/src/qb")));
        assertEquals("/src/qb", Installation.shortest(Path.of("/src/qb"), Path.of("/src/qb")));
        assertEquals("/src/qb", Installation.shortest(Path.of("/src/qb"), Path.of("/")));
    }
}
