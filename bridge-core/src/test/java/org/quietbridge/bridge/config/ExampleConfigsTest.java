package org.quietbridge.bridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.quietbridge.rules.YamlDocument;

/** Every bridge configuration under examples/ (the files with 'ports:') loads. */
class ExampleConfigsTest {

    static Path examples() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("examples"))) {
                return dir.resolve("examples");
            }
        }
        throw new AssertionError("no examples/ directory above " + Path.of("").toAbsolutePath());
    }

    @Test
    void everyExampleConfigurationLoads() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(examples())) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).filter(p -> YamlDocument.load(p).root().has("ports"))
                    .sorted().toList();
        }
        assertFalse(files.isEmpty());
        for (Path f : files) {
            BridgeConfig c = BridgeConfig.load(f);
            assertTrue(c.ports().size() >= 2, f.toString());
            assertTrue(c.compileRules().size() > 0, f.toString());
        }
    }

    @Test
    void theTwoPortExampleIsTheOneLineConfiguration() {
        BridgeConfig c = BridgeConfig.load(examples().resolve("two-port.yaml"));
        assertEquals(List.of("eth1", "eth2"), c.ports());
        assertTrue(c.ruleSet().defaultRules());
    }
}
