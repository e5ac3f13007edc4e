package org.quietbridge.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quietbridge.frame.Ipv4Class;
import org.quietbridge.frame.Ipv4Prefix;
import org.quietbridge.frame.L2Class;

/** What a valid rule file turns into. */
class RuleSetLoaderTest {

    private static Match onlyMatch(String flowMatch) {
        return RuleSetLoader.parse("t.yaml", "rules:\n  - name: r\n    match: {" + flowMatch + "}\n    action: drop\n")
                .rules().getFirst().match();
    }

    @Test
    void fileWithoutRulesKeyGetsTheDefaultRulesUnderItsOwnModeAndSubnets() {
        RuleSet rs = RuleSetLoader.parse("site.yaml", "mode: monitor\nsubnets: [10.8.0.0/16, 10.9.0.0/16]\n");
        assertEquals("site.yaml", rs.source());
        assertEquals(Mode.MONITOR, rs.mode());
        assertEquals(List.of(Ipv4Prefix.parse("10.8.0.0/16"), Ipv4Prefix.parse("10.9.0.0/16")), rs.subnets());
        assertTrue(rs.defaultRules());
        assertEquals(RuleSetLoader.defaults().rules(), rs.rules());
    }

    @Test
    void emptyFileIsTheDefaultRuleSetInEnforceMode() {
        RuleSet rs = RuleSetLoader.parse("empty.yaml", "# nothing but a comment\n");
        assertEquals(Mode.ENFORCE, rs.mode());
        assertTrue(rs.defaultRules());
        assertEquals(2, rs.rules().size());
    }

    @Test
    void defaultsAreTheTwoNetbiosRulesFromTheShippedResource() {
        RuleSet d = RuleSetLoader.defaults();
        assertEquals(List.of("netbios-broadcast-l2", "netbios-broadcast-l3"),
                d.rules().stream().map(Rule::name).toList());
        assertEquals(Mode.ENFORCE, d.mode());
        assertTrue(d.defaultRules());
        assertEquals(RuleSetLoader.DEFAULT_SOURCE, d.rules().getFirst().position().file());
    }

    @Test
    void explicitRulesAreNotDefaultRulesAndKeepTheirPositions() {
        RuleSet rs = RuleSetLoader.parse("r.yaml", "rules:\n  - name: a\n    action: forward\n  - name: b\n    action: drop\n");
        assertFalse(rs.defaultRules());
        assertEquals(new SourcePosition("r.yaml", 4, 5), rs.rules().get(1).position());
        assertEquals(Match.ANY, rs.rules().get(0).match());
        assertEquals(Action.FORWARD, rs.rules().get(0).action());
    }

    @Test
    void singleValuesAndOneElementListsMeanTheSame() {
        Match single = onlyMatch("vlan: 10, dst_port: 137, l2_dst: broadcast, ipv4_dst: 10.0.0.0/8, ingress: eth1");
        Match lists = onlyMatch("vlan: [10], dst_port: [137], l2_dst: [broadcast], ipv4_dst: [10.0.0.0/8],"
                + " ingress: [eth1]");
        assertEquals(single.describe(), lists.describe());
        assertEquals("ingress eth1 vlan 10 ipv4_dst 10.0.0.0/8 dst_port 137 l2_dst broadcast", single.describe());
    }

    @Test
    void everyKeyIsReadIntoTheMatch() {
        Match m = onlyMatch("ingress: [eth1, eth2], vlan: [untagged, 100-199], inner_vlan: 7, ethertype: [ipv4, 0x88cc],"
                + " l2_dst: broadcast, ipv4_src: 10.8.0.0/16, ipv4_dst: 10.9.1.1, ipv4_dst_class: [directed-broadcast,"
                + " multicast], ip_protocol: [udp, 47], src_port: 1000-2000, dst_port: [137, 138], nlb: igmp,"
                + " fragment: [first, unfragmented], malformed: false");
        assertEquals(List.of("eth1", "eth2"), m.ingress().stream().map(PortRef::name).toList());
        assertEquals(new VlanSelector(true, List.of(new IntRange(100, 199))), m.vlan());
        assertEquals(new VlanSelector(false, List.of(IntRange.of(7))), m.innerVlan());
        assertEquals(List.of(0x0800, 0x88cc), m.etherTypes());
        assertEquals(Set.of(L2Class.BROADCAST), m.l2Destination());
        assertEquals(List.of(Ipv4Prefix.parse("10.8.0.0/16")), m.ipv4Source());
        assertEquals(List.of(Ipv4Prefix.parse("10.9.1.1/32")), m.ipv4Destination());
        assertEquals(Set.of(Ipv4Class.DIRECTED_BROADCAST, Ipv4Class.MULTICAST), m.ipv4DestinationClass());
        assertEquals(List.of(17, 47), m.ipProtocols());
        assertEquals(List.of(new IntRange(1000, 2000)), m.sourcePorts());
        assertEquals(List.of(new IntRange(137, 138)), m.destinationPorts());
        assertEquals(Set.of(org.quietbridge.frame.NlbMac.IGMP), m.nlb());
        assertEquals(Set.of(Fragment.FIRST, Fragment.UNFRAGMENTED), m.fragment());
        assertEquals(Boolean.FALSE, m.malformed());
        assertTrue(m.requiresIpv4());
        assertTrue(m.requiresPorts());
        assertEquals("ingress eth1,eth2 vlan 100-199,untagged inner_vlan 7 ethertype ipv4,0x88cc ip_protocol udp,47"
                + " ipv4_src 10.8.0.0/16 ipv4_dst 10.9.1.1/32 src_port 1000-2000 dst_port 137-138 l2_dst broadcast"
                + " ipv4_dst_class multicast,directed-broadcast nlb igmp fragment unfragmented,first malformed false",
                m.describe());
    }

    @Test
    void broadcastClassIsTheThreeBroadcastKinds() {
        assertEquals(Set.of(Ipv4Class.LIMITED_BROADCAST, Ipv4Class.DIRECTED_BROADCAST, Ipv4Class.ALL_ONES_HOST),
                onlyMatch("ipv4_dst_class: broadcast").ipv4DestinationClass());
    }

    @Test
    void rangesAreSortedAndMerged() {
        assertEquals("vlan 1-12,20 dst_port 80-90", onlyMatch("vlan: [20, 5-12, 1-4], dst_port: [85-90, 80-86]").describe());
    }

    @Test
    void wordsAreCaseInsensitive() {
        RuleSet rs = RuleSetLoader.parse("t", "mode: MONITOR\nrules: [{name: r, action: Drop, match: {l2_dst: Broadcast}}]");
        assertEquals(Mode.MONITOR, rs.mode());
        assertEquals(Action.DROP, rs.rules().getFirst().action());
    }

    @Test
    void emptyMatchAndMissingMalformedAreAny() {
        Match m = RuleSetLoader.parse("t", "rules: [{name: r, action: drop, match: }]").rules().getFirst().match();
        assertTrue(m.matchesEverything());
        assertNull(m.malformed());
        assertFalse(m.requiresIpv4());
    }

    @Test
    void emptySubnetsListIsAllowed() {
        assertEquals(List.of(), RuleSetLoader.parse("t", "subnets: []\n").subnets());
    }

    @Test
    void readToleratesTheBridgeConfigurationsOwnTopLevelKeys() {
        YamlDocument doc = YamlDocument.parse("bridge.yaml", """
                ports: [eth1, eth2]
                api: {listen: 127.0.0.1:9000}
                mode: monitor
                """);
        RuleSet rs = RuleSetLoader.read(doc, Set.of("ports", "api", "fdb", "nlb"));
        assertEquals(Mode.MONITOR, rs.mode());
        assertEquals("bridge.yaml", rs.source());
        assertEquals(List.of("eth1", "eth2"),
                doc.root().get("ports").expectList("'ports'").stream().map(n -> n.expectText("port")).toList());
    }

    @Test
    void readStillRejectsKeysNobodyDeclared() {
        YamlDocument doc = YamlDocument.parse("bridge.yaml", "ports: [eth1]\nfbd: {}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> RuleSetLoader.read(doc, Set.of("ports", "fdb")));
        assertEquals("bridge.yaml:2:1: unknown key 'fbd' at the top level; valid keys: mode, subnets, rules, fdb, ports",
                e.getMessage());
    }

    @Test
    void loadAndParseAllowNoExtraKeys() {
        ConfigException e = assertThrows(ConfigException.class, () -> RuleSetLoader.parse("r.yaml", "ports: [eth1]\n"));
        assertEquals("r.yaml:1:1: unknown key 'ports' at the top level; valid keys: mode, subnets, rules", e.getMessage());
    }

    @Test
    void loadReadsAFileAndNamesItInPositions(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("rules.yaml");
        Files.writeString(f, "\uFEFFrules:\n  - name: x\n    action: count\n");
        RuleSet rs = RuleSetLoader.load(f);
        assertEquals(f.toString(), rs.source());
        assertEquals(new SourcePosition(f.toString(), 2, 5), rs.rules().getFirst().position());
    }

    @Test
    void withModeKeepsEverythingElse() {
        RuleSet rs = RuleSetLoader.parse("t", "subnets: 10.0.0.0/8\n");
        RuleSet m = rs.withMode(Mode.MONITOR);
        assertEquals(Mode.MONITOR, m.mode());
        assertEquals(rs.rules(), m.rules());
        assertEquals(rs.subnets(), m.subnets());
        assertEquals(rs.source(), m.source());
        assertEquals(rs.defaultRules(), m.defaultRules());
    }
}
