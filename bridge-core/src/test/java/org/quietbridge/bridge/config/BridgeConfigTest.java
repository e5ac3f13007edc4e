package org.quietbridge.bridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.quietbridge.bridge.failover.FailoverSettings;
import org.quietbridge.bridge.forward.ArpMode;
import org.quietbridge.bridge.forward.ArpSettings;
import org.quietbridge.bridge.forward.BridgeSettings;
import org.quietbridge.bridge.forward.LinkLocalPolicy;
import org.quietbridge.bridge.forward.NlbMode;
import org.quietbridge.bridge.forward.NlbSettings;
import org.quietbridge.bridge.forward.StormClass;
import org.quietbridge.bridge.forward.StormSettings;
import org.quietbridge.bridge.port.PacketRingPort;
import org.quietbridge.bridge.port.RingVersion;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.Ipv4;
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
        assertEquals(1024, c.ring().frames());
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
        assertEquals("qb.yaml:2:17: ring.version (TPACKET_V2 or V3) 1 is out of range 2..3",
                error("ports: [eth1, eth2]\nring: {version: 1}\n"));
        assertEquals("qb.yaml:2:35: ring.block_timeout (ms) 5000 is out of range 0..1000",
                error("ports: [eth1, eth2]\nring: {version: 3, block_timeout: 5000}\n"));
        assertEquals("qb.yaml:2:23: ring.block_timeout applies to TPACKET_V3 only; add 'version: 3' to 'ring' or"
                        + " remove it",
                error("ports: [eth1, eth2]\nring: {block_timeout: 1}\n"));
    }

    @Test
    void failoverDefaultsToTheKernelAndTakesOffOrATimeout() {
        BridgeConfig plain = BridgeConfig.parse("qb.yaml", "ports: [eth1, eth2]\n");
        assertEquals(new FailoverSettings(true, 200), plain.failover());
        assertEquals(FailoverSettings.off(), BridgeConfig.parse("qb.yaml", "ports: [eth1, eth2]\nfailover: off\n").failover());
        BridgeConfig tuned = BridgeConfig.parse("qb.yaml", "ports: [eth1, eth2]\nfailover: {mode: kernel, timeout: 500}\n");
        assertEquals(new FailoverSettings(true, 500), tuned.failover());
        assertEquals(tuned.failover(), tuned.monitorOnly().failover(), "kept by the with* copies");
        assertEquals("qb.yaml:2:11: unknown failover 'bridge'; valid: kernel, off",
                error("ports: [eth1, eth2]\nfailover: bridge\n"));
        assertEquals("qb.yaml:2:35: failover.timeout (ms) 10 is out of range 100..5000",
                error("ports: [eth1, eth2]\nfailover: {mode: kernel, timeout: 10}\n"));
    }

    @Test
    void ringVersionDefaultsToTwoAndTakesThreeWithABlockTimeout() {
        BridgeConfig plain = BridgeConfig.parse("qb.yaml", "ports: [eth1, eth2]\n");
        assertEquals(RingVersion.V2, plain.ring().version());
        assertEquals(PacketRingPort.KERNEL_BLOCK_TIMEOUT, plain.ring().blockTimeout());
        BridgeConfig v3 = BridgeConfig.parse("qb.yaml", "ports: [eth1, eth2]\nring: {version: 3, block_timeout: 1}\n");
        assertEquals(RingVersion.V3, v3.ring().version());
        assertEquals(1, v3.ring().blockTimeout());
        assertEquals(RingVersion.V3, v3.monitorOnly().ring().version(), "kept by the with* copies");
        assertEquals(1, v3.monitorOnly().ring().blockTimeout());
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

    // ---- arp ----------------------------------------------------------------------------------

    @Test
    void arpContainmentIsOffByDefaultAgesLikeTheFdbAndMonitorsUnderRunMonitor() {
        BridgeConfig plain = BridgeConfig.parse("qb.yaml", "ports: [ap0, core0]\nfdb: {aging: 120}\n");
        assertEquals(new ArpSettings(ArpMode.OFF, ArpSettings.DEFAULT_MAX_BINDINGS, 120 * 1_000_000_000L),
                plain.settings().arp());
        BridgeConfig c = BridgeConfig.parse("qb.yaml", "ports: [ap0, core0]\narp: {mode: unicast, max_bindings: 100,"
                + " aging: 30}\n");
        assertEquals(new ArpSettings(ArpMode.UNICAST, 100, 30 * 1_000_000_000L), c.settings().arp());
        assertEquals(ArpMode.MONITOR, c.monitorOnly().settings().arp().mode());
    }

    @Test
    void reportsEachArpMistakeAtItsPosition() {
        String ports = "ports: [ap0, core0]\n";
        assertEquals("qb.yaml:2:6: missing 'mode' in arp (off, monitor, contain, unicast)", error(ports + "arp: {aging: 10}\n"));
        assertEquals("qb.yaml:2:13: unknown arp.mode 'on'; valid: off, monitor, contain, unicast",
                error(ports + "arp: {mode: on}\n"));
        assertEquals("qb.yaml:2:36: arp.max_bindings 0 is out of range 1..1048576",
                error(ports + "arp: {mode: contain, max_bindings: 0}\n"));
        String unknownKey = error(ports + "arp: {mode: contain, bindings: 10}\n");
        assertTrue(unknownKey.startsWith("qb.yaml:2:22: unknown key 'bindings' in arp"), unknownKey);
    }

    // ---- storm_control ------------------------------------------------------------------------

    @Test
    void stormControlHasNoLimitsByDefaultAndReadsEachLimit() {
        assertEquals(List.of(), BridgeConfig.parse("qb.yaml", "ports: [ap0, core0]\n").settings().storm().limits());
        BridgeConfig c = BridgeConfig.parse("qb.yaml", """
                ports: [ap0, core0]
                storm_control:
                  - {port: ap0, class: broadcast, pps: 500}
                  - {port: core0, class: unknown_unicast, pps: 2000, falling_pps: 1000, action: log}
                """);
        assertEquals(List.of(
                new StormSettings.Limit(0, StormClass.BROADCAST, 500, 500, StormSettings.Action.DROP),
                new StormSettings.Limit(1, StormClass.UNKNOWN_UNICAST, 2000, 1000, StormSettings.Action.LOG)),
                c.settings().storm().limits());
        assertEquals(StormSettings.Action.LOG, c.monitorOnly().settings().storm().limits().getFirst().action(),
                "run --monitor drops nothing: storm control only logs");
    }

    @Test
    void reportsEachStormControlMistakeAtItsPosition() {
        String ports = "ports: [ap0, core0]\n";
        assertEquals("qb.yaml:2:24: unknown port 'eth9'; the bridge's ports are ap0, core0",
                error(ports + "storm_control: [{port: eth9, class: broadcast, pps: 5}]\n"));
        assertEquals("qb.yaml:2:36: unknown class 'bcast'; valid: broadcast, multicast, unknown_unicast, arp",
                error(ports + "storm_control: [{port: ap0, class: bcast, pps: 5}]\n"));
        assertEquals("qb.yaml:2:17: missing 'pps' in a storm_control entry",
                error(ports + "storm_control: [{port: ap0, class: arp}]\n"));
        assertEquals("qb.yaml:2:62: falling_pps (at most pps, 5) 6 is out of range 0..5",
                error(ports + "storm_control: [{port: ap0, class: arp, pps: 5, falling_pps: 6}]\n"));
        assertEquals("qb.yaml:2:57: unknown action 'shutdown'; valid: drop, log",
                error(ports + "storm_control: [{port: ap0, class: arp, pps: 5, action: shutdown}]\n"));
        assertEquals("qb.yaml:2:50: a second storm_control limit for ap0 arp; one per port and class",
                error(ports + "storm_control: [{port: ap0, class: arp, pps: 5}, {port: ap0, class: arp, pps: 9}]\n"));
        assertEquals("qb.yaml:2:16: 'storm_control' must be a list, not a mapping",
                error(ports + "storm_control: {port: ap0, class: arp, pps: 5}\n"));
    }

    // ---- nlb ----------------------------------------------------------------------------------

    @Test
    void nlbContainmentIsOffByDefaultAndAgesLikeTheFdb() {
        NlbSettings off = BridgeConfig.parse("qb.yaml", "ports: [ap0, core0]\n").settings().nlb();
        assertEquals(NlbMode.OFF, off.mode());
        assertEquals(BridgeSettings.DEFAULT_FDB_AGING_NANOS, off.agingNanos());

        NlbSettings on = BridgeConfig.parse("qb.yaml", "ports: [ap0, core0]\nfdb: {aging: 120}\nnlb: {mode: contain}\n")
                .settings().nlb();
        assertEquals(NlbMode.CONTAIN, on.mode());
        assertEquals(120_000_000_000L, on.agingNanos(), "nlb.aging defaults to fdb.aging");
        assertEquals(NlbSettings.DEFAULT_MAX_CLUSTERS, on.maxClusters());
        assertEquals(List.of(), on.staticClusters());

        assertEquals(NlbMode.OFF, BridgeConfig.parse("qb.yaml", "ports: [ap0, core0]\nnlb: {mode: off}\n")
                .settings().nlb().mode());
        assertEquals(NlbMode.MONITOR, BridgeConfig.parse("qb.yaml", "ports: [ap0, core0]\nnlb: {mode: monitor}\n")
                .settings().nlb().mode());
    }

    @Test
    void readsTheNlbSectionWithStaticClustersByIpAndByMac() {
        BridgeConfig c = BridgeConfig.parse("qb.yaml", """
                ports: [ap0, core0, dmz0]
                nlb:
                  mode: contain
                  aging: 30
                  max_clusters: 8
                  static:
                    - {cluster: 10.14.35.247, ports: [core0]}
                    - {mac: 02:bf:0a:0e:23:f8, ports: [core0, dmz0]}
                    - {mac: "03:bf:0a:0e:23:f9", ports: dmz0, vlan: 20}
                    - {cluster: 10.1.2.3, mac: 01:00:5e:7f:02:03, ports: [core0]}
                """);
        NlbSettings nlb = c.settings().nlb();
        assertEquals(NlbMode.CONTAIN, nlb.mode());
        assertEquals(30_000_000_000L, nlb.agingNanos());
        assertEquals(8, nlb.maxClusters());
        assertEquals(List.of(
                new NlbSettings.StaticCluster(Ipv4.parse("10.14.35.247"), -1, Ethernet.parseMac("02:bf:0a:0e:23:f7"), 0b010),
                new NlbSettings.StaticCluster(Ipv4.parse("10.14.35.248"), -1, Ethernet.parseMac("02:bf:0a:0e:23:f8"), 0b110),
                new NlbSettings.StaticCluster(Ipv4.parse("10.14.35.249"), 20, Ethernet.parseMac("03:bf:0a:0e:23:f9"), 0b100),
                new NlbSettings.StaticCluster(Ipv4.parse("10.1.2.3"), -1, Ethernet.parseMac("01:00:5e:7f:02:03"), 0b010)),
                nlb.staticClusters());
    }

    @Test
    void reportsEachNlbMistakeAtItsPosition() {
        String ports = "ports: [ap0, core0]\n";
        assertEquals("qb.yaml:2:6: missing 'mode' in nlb (off, monitor or contain)",
                error(ports + "nlb: {aging: 10}\n"));
        assertEquals("qb.yaml:2:13: unknown nlb.mode 'on'; valid: off, monitor, contain",
                error(ports + "nlb: {mode: on}\n"));
        assertEquals("qb.yaml:2:6: 'nlb' must be a mapping of keys to values, not a single value",
                error(ports + "nlb: contain\n"));
        String unknownKey = error(ports + "nlb: {mode: contain, agin: 10}\n");
        assertTrue(unknownKey.startsWith("qb.yaml:2:22: unknown key 'agin' in nlb; valid keys: mode, aging,"
                + " max_clusters, static"), unknownKey);
        assertEquals("qb.yaml:2:36: nlb.max_clusters 0 is out of range 1..4096",
                error(ports + "nlb: {mode: contain, max_clusters: 0}\n"));
        assertEquals("qb.yaml:2:59: unknown port 'eth9'; the bridge's ports are ap0, core0",
                error(ports + "nlb: {mode: contain, static: [{cluster: 10.0.0.5, ports: [eth9]}]}\n"));
        assertEquals("qb.yaml:2:41: '10.0.0.256' is not an IPv4 address (the cluster IP, a.b.c.d)",
                error(ports + "nlb: {mode: contain, static: [{cluster: 10.0.0.256, ports: [core0]}]}\n"));
        assertEquals("qb.yaml:2:41: cluster 239.1.1.1 is not a unicast host address",
                error(ports + "nlb: {mode: contain, static: [{cluster: 239.1.1.1, ports: [core0]}]}\n"));
        assertEquals("qb.yaml:2:37: 02:00:0a:0e:23:f7 is not an NLB cluster MAC"
                + " (02:bf:W:X:Y:Z unicast, 03:bf:W:X:Y:Z multicast, 01:00:5e:7f:Y:Z IGMP)",
                error(ports + "nlb: {mode: contain, static: [{mac: 02:00:0a:0e:23:f7, ports: [core0]}]}\n"));
        assertEquals("qb.yaml:2:37: 'bf:0a:0e:23:f7' is not a MAC address (aa:bb:cc:dd:ee:ff)",
                error(ports + "nlb: {mode: contain, static: [{mac: 'bf:0a:0e:23:f7', ports: [core0]}]}\n"));
        assertEquals("qb.yaml:2:37: the IGMP-mode MAC 01:00:5e:7f:23:f7 holds only the low 16 bits of the"
                + " cluster IP; give 'cluster' as well",
                error(ports + "nlb: {mode: contain, static: [{mac: 01:00:5e:7f:23:f7, ports: [core0]}]}\n"));
        assertEquals("qb.yaml:2:60: 02:bf:0a:0e:23:f8 is not a MAC of cluster 10.14.35.247 (that is"
                + " 02:bf:0a:0e:23:f7, 03:bf:0a:0e:23:f7 or 01:00:5e:7f:23:f7)",
                error(ports + "nlb: {mode: contain, static: [{cluster: 10.14.35.247, mac: 02:bf:0a:0e:23:f8,"
                        + " ports: [core0]}]}\n"));
        assertEquals("qb.yaml:2:31: an nlb.static entry needs 'cluster' (the cluster IP) or 'mac'"
                + " (02:bf:W:X:Y:Z or 03:bf:W:X:Y:Z)",
                error(ports + "nlb: {mode: contain, static: [{ports: [core0]}]}\n"));
        assertEquals("qb.yaml:2:31: missing 'ports' in an nlb.static entry",
                error(ports + "nlb: {mode: contain, static: [{cluster: 10.0.0.5}]}\n"));
        assertEquals("qb.yaml:6:7: cluster 10.0.0.5 untagged is listed twice in nlb.static (first at line 5)",
                error(ports + "nlb:\n  mode: contain\n  static:\n    - {cluster: 10.0.0.5, ports: [core0]}\n"
                        + "    - {mac: 02:bf:0a:00:00:05, ports: [ap0]}\n"));
        assertEquals("qb.yaml:6:5: 2 static clusters do not fit nlb.max_clusters 1",
                error(ports + "nlb:\n  mode: contain\n  max_clusters: 1\n  static:\n"
                        + "    - {cluster: 10.0.0.5, ports: [core0]}\n    - {cluster: 10.0.0.6, ports: [core0]}\n"));
    }
}
