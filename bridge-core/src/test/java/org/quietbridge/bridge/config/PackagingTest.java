package org.quietbridge.bridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.quietbridge.rules.Mode;

/** The sample configuration shipped for /etc/quietbridge loads, and the unit says what the README promises. */
class PackagingTest {
    private static Path packaging() {
        return ExampleConfigsTest.examples().getParent().resolve("packaging");
    }

    @Test
    void theSampleConfigurationLoadsInMonitorMode() {
        BridgeConfig c = BridgeConfig.load(packaging().resolve("quietbridge.yaml"));
        assertEquals(Mode.MONITOR, c.ruleSet().mode());
        assertTrue(c.ruleSet().defaultRules());
    }

    @Test
    void theUnitIsTypeNotifyAndRunsAsItsOwnUserWithOnlyTheTwoCapabilities() throws IOException {
        String unit = Files.readString(packaging().resolve("quietbridge.service"));
        assertTrue(unit.contains("\nType=notify\n"), "Type=notify");
        assertTrue(unit.contains("\nRestart=on-failure\n"), "restart on failure");
        assertTrue(unit.contains("\nWatchdogSec=3\n"), "a watchdog on the data plane");
        assertTrue(unit.contains("\nRestartSec=100ms\n"), "a quick restart");
        assertTrue(unit.contains("\nCapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN\n"), "two capabilities");
        assertTrue(unit.contains("\nAmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN\n"), "held as ambient capabilities");
        assertTrue(unit.contains("\nUser=quietbridge\n"), "a user of its own, not root");
        assertTrue(!unit.contains("User=root"), "not root");
        assertTrue(unit.contains("\nProtectSystem=strict\n"), "ProtectSystem");
        assertTrue(unit.contains("run -c /etc/quietbridge/quietbridge.yaml"), "runs the sample config path");
    }
}
