package org.quietbridge.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quietbridge.bridge.config.BridgeConfig;

class LabFolderTest {
    @TempDir
    Path dir;

    @Test
    void isNamedAfterThePrefixUnderRunQuietbridge() {
        assertEquals(Path.of("/run/quietbridge/lab-qbdemo"), LabFolder.of("qbdemo").path());
        assertThrows(IllegalArgumentException.class, () -> LabFolder.of("../etc"));
    }

    @Test
    void pointsEveryPathOfNmbdIntoTheFolder() throws IOException {
        LabFolder folder = new LabFolder(dir.resolve("lab-t"));

        Path smbConf = folder.writeSambaConfig();

        List<String> pathLines = Files.readAllLines(smbConf).stream()
                .map(String::strip)
                .filter(line -> !line.startsWith("#") && line.contains(" = /"))
                .toList();
        assertEquals(8, pathLines.size(), String.join("\n", pathLines));
        Path samba = folder.path().resolve("samba");
        for (String line : pathLines) {
            Path value = Path.of(line.substring(line.indexOf(" = ") + 3));
            assertTrue(value.startsWith(samba), line);
            Path folderOfIt = line.startsWith("log file") ? value.getParent() : value;
            assertTrue(Files.isDirectory(folderOfIt), line + ": not created");
        }
        assertTrue(Files.isDirectory(folder.sambaLogFolder()));
        String conf = Files.readString(smbConf);
        assertTrue(conf.contains("netbios name = QBCORE\n"), conf);
        assertTrue(conf.contains("interfaces = eth0\n"), conf);
        assertTrue(conf.contains("bind interfaces only = yes\n"), conf);
    }

    @Test
    void writesABridgeConfigurationForTheLabsPorts() {
        LabFolder folder = new LabFolder(dir.resolve("lab-t"));

        BridgeConfig config = BridgeConfig.load(folder.writeBridgeConfig());

        assertEquals(List.of("ap0", "core0"), config.ports());
        assertTrue(config.ruleSet().defaultRules());
    }

    @Test
    void deletesItselfAndSaysWhetherItWasThere() {
        LabFolder folder = new LabFolder(dir.resolve("lab-t"));
        folder.writeSambaConfig();

        assertTrue(folder.delete());
        assertFalse(Files.exists(folder.path()));
        assertFalse(folder.delete());
    }
}
