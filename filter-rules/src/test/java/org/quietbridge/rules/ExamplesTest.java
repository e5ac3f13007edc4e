package org.quietbridge.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.quietbridge.frame.testing.FrameBuilder;

/** The files in the repository's {@code examples/} directory. */
class ExamplesTest {

    /** Walks up from the working directory (the module, under Maven) to the directory holding examples/. */
    private static Path examples() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("examples"))) {
                return dir.resolve("examples");
            }
        }
        throw new AssertionError("no examples/ directory above " + Path.of("").toAbsolutePath());
    }

    @Test
    void everyExampleRuleFileLoadsAndCompiles() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(examples())) {
            // Whole bridge configurations (with 'ports:') are bridge-core's to check.
            files = s.filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> !YamlDocument.load(p).root().has("ports")).sorted().toList();
        }
        assertTrue(files.size() >= 2, "examples: " + files);
        for (Path f : files) {
            RuleSet rs = RuleSetLoader.load(f);
            assertFalse(rs.defaultRules(), f + " should spell its rules out");
            assertTrue(CompiledRules.compile(rs, null).size() > 0);
        }
    }

    @Test
    void netbiosDefaultExampleIsByteForByteTheShippedDefaultRuleSet() throws IOException {
        byte[] example = Files.readAllBytes(examples().resolve("netbios-default.yaml"));
        byte[] resource;
        try (InputStream in = RuleSetLoader.class.getClassLoader().getResourceAsStream(RuleSetLoader.DEFAULT_RESOURCE)) {
            assertTrue(in != null, "missing " + RuleSetLoader.DEFAULT_RESOURCE);
            resource = in.readAllBytes();
        }
        assertArrayEquals(resource, example);
        assertEquals(CompiledRules.compile(RuleSetLoader.defaults(), null).digest(),
                CompiledRules.compile(RuleSetLoader.load(examples().resolve("netbios-default.yaml")), null).digest());
    }

    @Test
    void wirelessVlanExampleDropsNetbiosBroadcastOnlyInWirelessVlans() {
        RuleProbe p = RuleProbe.of(RuleSetLoader.load(examples().resolve("netbios-wireless-vlans.yaml")));
        assertEquals(Mode.ENFORCE, p.rules.mode());
        assertTrue(p.drops(netbiosBroadcast(150)), "wireless VLAN 150");
        assertTrue(p.drops(netbiosBroadcast(100)), "wireless VLAN 100");
        assertTrue(p.drops(netbiosBroadcast(199)), "wireless VLAN 199");
        assertFalse(p.drops(netbiosBroadcast(20)), "wired VLAN 20");
        assertFalse(p.drops(netbiosBroadcast(200)), "VLAN 200");
        assertFalse(p.drops(netbiosBroadcast(-1)), "untagged");
        assertEquals(0, p.firstWithOutOfBandTag(netbiosBroadcast(-1), 0x8100, 150), "tag stripped by the kernel");
    }

    @Test
    void wirelessVlanExampleDropsDirectedBroadcastOfAWirelessSubnetInAUnicastFrame() {
        RuleProbe p = RuleProbe.of(RuleSetLoader.load(examples().resolve("netbios-wireless-vlans.yaml")));
        byte[] f = FrameBuilder.ethernet().dst("00:aa:bb:cc:dd:ee").vlan(0x8100, 150)
                .udp("10.100.3.4", "10.100.255.255", 138, 138).payload(80).build();
        assertEquals(1, p.first(f));
    }

    private static byte[] netbiosBroadcast(int vid) {
        FrameBuilder b = FrameBuilder.ethernet().src("00:11:22:33:44:55").broadcast();
        if (vid >= 0) {
            b.vlan(0x8100, vid);
        }
        return b.udp("10.100.3.4", "255.255.255.255", 137, 137).payload(50).build();
    }
}
