package org.quietbridge.bridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.quietbridge.bridge.forward.BridgeSettings;
import org.quietbridge.bridge.forward.LinkLocalPolicy;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.rules.ConfigException;
import org.quietbridge.rules.Mode;

class BridgeConfigTest {

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> BridgeConfig.parse("qb.yaml", yaml)).getMessage();
    }

    @Test
    void theSmallestConfigIsOneLineAndGetsTheDefaults() {
        BridgeConfig c = BridgeConfig.parse("qb.yaml", "ports: [eth1, eth2]\n");
        assertEquals(List.of("eth1", "eth2"), c.ports());
        assertTrue(c.ruleSet().defaultRules());
        assertEquals(Mode.ENFORCE, c.ruleSet().mode());
        assertEquals(BridgeSettings.defaults(), c.settings());
        assertEquals(IdleMode.BACKOFF, c.idle());
        assertEquals(2, c.compileRules().size());
    }

    @Test
    void readsEveryOptionalSection() {
        BridgeConfig c = BridgeConfig.parse("qb.yaml", """
                ports: [ap0, core0, mon0]
                mode: monitor
                fdb:
                  max_entries: 1000
                  aging: 60
                  static:
                    - {mac: "00:11:22:33:44:55", port: core0, vlan: 10}
                    - {mac: "00:11:22:33:44:56", port: ap0}
                link_local: drop
                idle: spin
                ring: {frames: 1024}
                rules:
                  - {name: lab, match: {ingress: ap0, dst_port: 137}, action: drop}
                """);
        assertEquals(3, c.ports().size());
        assertEquals(Mode.MONITOR, c.ruleSet().mode());
        assertEquals(1000, c.settings().fdbMaxEntries());
        assertEquals(60_000_000_000L, c.settings().fdbAgingNanos());
        assertEquals(LinkLocalPolicy.DROP, c.settings().linkLocal());
        assertEquals(List.of(new BridgeSettings.StaticMac(Ethernet.parseMac("00:11:22:33:44:55"), 10, 1),
                new BridgeSettings.StaticMac(Ethernet.parseMac("00:11:22:33:44:56"), -1, 0)), c.settings().staticMacs());
        assertEquals(IdleMode.SPIN, c.idle());
        assertEquals(1024, c.ringFrames());
    }

    @Test
    void reportsEachMistakeAtItsPosition() {
        assertEquals("qb.yaml:1:1: missing 'ports' in the configuration", error("mode: enforce\n"));
        assertEquals("qb.yaml:1:15: interface 'eth1' is listed twice in 'ports' (first at line 1)",
                error("ports: [eth1, eth1]\n"));
        assertEquals("qb.yaml:1:8: a bridge needs at least two ports; 'ports' has 1", error("ports: [eth1]\n"));
        assertEquals("qb.yaml:1:15: 'a/b' is not an interface name (1 to 15 characters, no spaces, '/' or ':')",
                error("ports: [eth1, a/b]\n"));
        assertEquals("qb.yaml:2:49: unknown port 'eth3'; the bridge's ports are eth1, eth2",
                error("ports: [eth1, eth2]\nfdb: {static: [{mac: '00:11:22:33:44:55', port: eth3}]}\n"));
        assertEquals("qb.yaml:2:7: unknown idle 'sleep'; valid: spin, backoff, block",
                error("ports: [eth1, eth2]\nidle: sleep\n"));
        assertEquals("qb.yaml:2:16: ring.frames must be a power of two (64 to 262144): 1000",
                error("ports: [eth1, eth2]\nring: {frames: 1000}\n"));
    }

    @Test
    void aRuleScopedToAnUnknownPortIsAnError() {
        String msg = error("ports: [eth1, eth2]\nrules:\n  - {name: x, match: {ingress: eth9}, action: drop}\n");
        assertTrue(msg.startsWith("qb.yaml:3:32: unknown port 'eth9'"), msg);
    }

    @Test
    void unknownTopLevelKeysNameTheValidOnes() {
        String msg = error("ports: [eth1, eth2]\nport: eth3\n");
        assertTrue(msg.startsWith("qb.yaml:2:1: unknown key 'port'"), msg);
        assertTrue(msg.contains("ports"), msg);
    }
}
