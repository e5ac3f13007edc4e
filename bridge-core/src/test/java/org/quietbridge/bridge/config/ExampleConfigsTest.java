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
import org.quietbridge.bridge.forward.NlbMode;
import org.quietbridge.bridge.forward.NlbSettings;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.NlbMac;
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

    @Test
    void theNlbExampleContainsTheOperatorsClusterBehindTheCorePort() {
        BridgeConfig c = BridgeConfig.load(examples().resolve("nlb-contain.yaml"));
        NlbSettings nlb = c.settings().nlb();
        assertEquals(NlbMode.CONTAIN, nlb.mode());
        // 02:bf:0a:0e:23:f7 from the capture encodes the cluster IP 10.14.35.247.
        assertEquals(List.of(new NlbSettings.StaticCluster(Ipv4.parse("10.14.35.247"), -1,
                NlbMac.unicastMac(Ipv4.parse("10.14.35.247")), 1L << c.ports().indexOf("eth2"))), nlb.staticClusters());
        assertEquals(Ethernet.parseMac("02:bf:0a:0e:23:f7"), nlb.staticClusters().getFirst().mac());
    }
}
