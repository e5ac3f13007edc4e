package org.quietbridge.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every class of configuration error, with the exact file:line:column of the offending node and
 * the exact one-line message an operator sees.
 */
class RuleSetLoaderErrorsTest {
    private static final String MATCH_KEYS = "ingress, vlan, inner_vlan, ethertype, l2_dst, ipv4_src, ipv4_dst,"
            + " ipv4_dst_class, ip_protocol, src_port, dst_port, nlb, fragment, malformed";

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> RuleSetLoader.parse("rules.yaml", yaml)).getMessage();
    }

    /** A one-rule file whose match block is {@code matchLines} (each indented 6 spaces), from line 5. */
    private static String errorInMatch(String... matchLines) {
        StringBuilder sb = new StringBuilder("""
                mode: enforce
                rules:
                  - name: r1
                    match:
                """);
        for (String l : matchLines) {
            sb.append("      ").append(l).append('\n');
        }
        sb.append("    action: drop\n");
        return error(sb.toString());
    }

    // ---- YAML itself -----------------------------------------------------------------------

    @Test
    void yamlSyntaxErrorIsReportedWhereTheParserFailed() {
        assertEquals("rules.yaml:3:17: YAML syntax error: mapping values are not allowed here",
                error("""
                        rules:
                          - name: a
                            action: drop: now
                        """));
    }

    @Test
    void unclosedFlowListIsASyntaxErrorAtTheEndOfInput() {
        assertEquals("rules.yaml:6:1: YAML syntax error: expected ',' or ']', but got <stream end>"
                + " (while parsing a flow sequence)", error("""
                rules:
                  - name: a
                    action: drop
                    match:
                      vlan: [10, 20
                """));
    }

    @Test
    void tabIndentationIsASyntaxError() {
        assertEquals("rules.yaml:2:1: YAML syntax error: found character '\\t(TAB)' that cannot start any token."
                + " (Do not use \\t(TAB) for indentation) (while scanning for the next token)",
                error("rules:\n\t- name: a\n"));
    }

    @Test
    void duplicateKeyIsReportedAtTheSecondKey() {
        assertEquals("rules.yaml:4:5: duplicate key 'action' (first at line 3)", error("""
                rules:
                  - name: a
                    action: drop
                    action: forward
                """));
    }

    @Test
    void secondDocumentIsRejected() {
        assertEquals("rules.yaml:2:1: only one YAML document per file; remove this '---' and what follows",
                error("mode: enforce\n---\nmode: monitor\n"));
    }

    @Test
    void explicitTagsAreRefusedSoNoTypeIsEverInstantiated() {
        assertEquals("rules.yaml:4:12: YAML tags such as 'tag:yaml.org,2002:java.net.URL' are not allowed", error("""
                rules:
                  - name: a
                    action: drop
                    match: !!java.net.URL ["http://example.com"]
                """));
    }

    @Test
    void undefinedAliasIsReportedAtTheAlias() {
        assertEquals("rules.yaml:4:12: undefined alias '*wireless'", error("""
                rules:
                  - name: a
                    action: drop
                    match: *wireless
                """));
    }

    @Test
    void aliasBombIsStoppedAtTheFirstAliasOverTheLimit() {
        String bomb = """
                a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
                b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
                c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
                d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
                """;
        // Aliases 1-9 are on line 2; the 17th is the 8th on line 3, at column 36.
        assertEquals("rules.yaml:3:36: too many aliases to lists or mappings (more than 16); an alias bomb?"
                + " Write the values out instead", error(bomb));
    }

    @Test
    void aliasesToSingleValuesAreFreeAndAFewCollectionAliasesAreFine() {
        RuleSet rs = RuleSetLoader.parse("rules.yaml", """
                rules:
                  - name: a
                    match: &netbios {ip_protocol: udp, dst_port: &ns 137}
                    action: drop
                  - name: b
                    match: {ip_protocol: tcp, dst_port: *ns}
                    action: count
                  - name: c
                    match: *netbios
                    action: forward
                """);
        assertEquals("udp dst_port 137", rs.rules().get(2).match().describe());
        assertEquals("tcp dst_port 137", rs.rules().get(1).match().describe());
    }

    @Test
    void deepNestingIsRejectedAtTheFirstTooDeepCollection() {
        String deep = "x: " + "[".repeat(40) + "]".repeat(40) + "\n";
        // The top mapping is level 1, so the 32nd '[' (column 4 + 31) is the 33rd level.
        assertEquals("rules.yaml:1:35: lists and mappings are nested too deeply (more than 32 levels)", error(deep));
    }

    @Test
    void tooLargeTextIsRejectedBeforeParsing() {
        String big = "# " + "x".repeat(YamlDocument.MAX_CODE_POINTS) + "\nmode: enforce\n";
        assertEquals("rules.yaml:1:1: file is too large (1048593 characters); a configuration file may hold at most"
                + " 1048576 characters (1 MiB)", error(big));
    }

    @Test
    void tooLargeFileIsRejectedWithoutReadingIt(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("huge.yaml");
        Files.write(f, new byte[5 * YamlDocument.MAX_CODE_POINTS]);
        ConfigException e = assertThrows(ConfigException.class, () -> RuleSetLoader.load(f));
        assertEquals(f + ":1:1: file is too large (5242880 bytes); a configuration file may hold at most 1048576"
                + " characters (1 MiB)", e.getMessage());
    }

    @Test
    void missingFileIsAConfigException(@TempDir Path dir) {
        Path f = dir.resolve("absent.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> RuleSetLoader.load(f));
        assertEquals(f + ":1:1: no such file", e.getMessage());
    }

    @Test
    void invalidUtf8IsReportedAtItsLineAndColumn(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("latin1.yaml");
        Files.write(f, "mode: enforce\n# caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        ConfigException e = assertThrows(ConfigException.class, () -> RuleSetLoader.load(f));
        assertEquals(f + ":2:6: the file is not valid UTF-8 (bad byte 0xe9 at byte offset 19)", e.getMessage());
    }

    // ---- structure -------------------------------------------------------------------------

    @Test
    void unknownTopLevelKeyListsTheValidKeys() {
        assertEquals("rules.yaml:2:1: unknown key 'rulez' at the top level; valid keys: mode, subnets, rules",
                error("mode: enforce\nrulez: []\n"));
    }

    @Test
    void unknownRuleKeyListsTheValidKeys() {
        assertEquals("rules.yaml:3:5: unknown key 'actoin' in rule; valid keys: name, match, action", error("""
                rules:
                  - name: a
                    actoin: drop
                """));
    }

    @Test
    void unknownMatchKeyIsReportedAtTheKey() {
        assertEquals("rules.yaml:7:17: unknown key 'dst_prot' in match; valid keys: " + MATCH_KEYS, error("""
                mode: enforce
                subnets: [10.8.0.0/16]
                rules:
                  - name: netbios
                    action: drop
                    match: {ip_protocol: udp,
                                dst_prot: 137}
                """));
    }

    @Test
    void topLevelThatIsNotAMappingIsAWrongType() {
        assertEquals("rules.yaml:1:1: the top level of the file must be a mapping of keys to values, not a list",
                error("- name: a\n  action: drop\n"));
    }

    @Test
    void rulesThatIsNotAListIsAWrongType() {
        assertEquals("rules.yaml:1:8: 'rules' must be a list, not a single value", error("rules: drop\n"));
    }

    @Test
    void ruleThatIsNotAMappingIsAWrongType() {
        assertEquals("rules.yaml:2:5: each rule must be a mapping with name, match and action, not a single value",
                error("rules:\n  - drop\n"));
    }

    @Test
    void listWhereASingleValueBelongsIsAWrongType() {
        assertEquals("rules.yaml:3:13: 'action' must be a single value, not a list", error("""
                rules:
                  - name: a
                    action: [drop]
                """));
    }

    @Test
    void matchThatIsAListIsAWrongType() {
        assertEquals("rules.yaml:4:12: 'match' must be a mapping of keys to values, not a list", error("""
                rules:
                  - name: a
                    action: drop
                    match: [udp]
                """));
    }

    @Test
    void mappingWhereAValueOrListBelongsIsAWrongType() {
        assertEquals("rules.yaml:5:13: 'vlan' must be a value or a list of values, not a mapping",
                errorInMatch("vlan: {id: 10}"));
    }

    @Test
    void nestedListInsideAValueListIsAWrongType() {
        assertEquals("rules.yaml:5:23: each entry of 'dst_port' must be a single value, not a list",
                errorInMatch("dst_port: [137, [138]]"));
    }

    @Test
    void emptyValueListInAMatchIsRejectedBecauseItWouldMatchNothing() {
        assertEquals("rules.yaml:5:13: 'vlan' is an empty list; give at least one value or remove the key",
                errorInMatch("vlan: []"));
    }

    @Test
    void malformedMustBeTrueOrFalse() {
        assertEquals("rules.yaml:5:18: 'malformed' must be true or false, not 'maybe'", errorInMatch("malformed: maybe"));
    }

    // ---- rules -----------------------------------------------------------------------------

    @Test
    void missingNameIsReportedAtTheRule() {
        assertEquals("rules.yaml:4:5: missing 'name' in rule", error("""
                rules:
                  - name: a
                    action: drop
                  - match: {vlan: 10}
                    action: forward
                """));
    }

    @Test
    void missingActionIsReportedAtTheRule() {
        assertEquals("rules.yaml:2:5: missing 'action' in rule 'a'", error("""
                rules:
                  - name: a
                    match: {vlan: 10}
                """));
    }

    @Test
    void duplicateRuleNameIsReportedAtTheSecondName() {
        assertEquals("rules.yaml:4:11: duplicate rule name 'a' (first at line 2); rule names must be unique", error("""
                rules:
                  - name: a
                    action: drop
                  - name: a
                    action: forward
                """));
    }

    @Test
    void ruleNameWithSpacesIsRejected() {
        assertEquals("rules.yaml:2:11: bad rule name 'drop it'; use up to 64 letters, digits, '.', '_' and '-',"
                + " starting with a letter or digit", error("rules:\n  - name: drop it\n    action: drop\n"));
    }

    @Test
    void emptyRuleListIsAnError() {
        assertEquals("rules.yaml:2:8: empty rule set: 'rules' has no rules; remove the 'rules' key to use the"
                + " default rules, or add a rule", error("mode: monitor\nrules: []\n"));
    }

    @Test
    void rulesKeyWithNothingAfterItIsAnEmptyRuleSet() {
        assertEquals("rules.yaml:2:7: empty rule set: 'rules' has no rules; remove the 'rules' key to use the"
                + " default rules, or add a rule", error("mode: monitor\nrules:\n"));
    }

    // ---- words -----------------------------------------------------------------------------

    @Test
    void unknownActionListsTheValidActions() {
        assertEquals("rules.yaml:3:13: unknown action 'dorp'; valid: drop, forward, count",
                error("rules:\n  - name: a\n    action: dorp\n"));
    }

    @Test
    void unknownModeListsTheValidModes() {
        assertEquals("rules.yaml:1:7: unknown mode 'audit'; valid: enforce, monitor", error("mode: audit\n"));
    }

    @Test
    void unknownL2ClassListsTheValidWords() {
        assertEquals("rules.yaml:5:27: unknown l2_dst 'anycast'; valid: unicast, broadcast, multicast",
                errorInMatch("l2_dst: [broadcast, anycast]"));
    }

    @Test
    void unknownIpv4ClassListsTheValidWords() {
        assertEquals("rules.yaml:5:23: unknown ipv4_dst_class 'subnet-broadcast'; valid: limited-broadcast,"
                + " directed-broadcast, all-ones-host, multicast, unicast, broadcast",
                errorInMatch("ipv4_dst_class: subnet-broadcast"));
    }

    @Test
    void unknownNlbModeListsTheValidWords() {
        assertEquals("rules.yaml:5:12: unknown nlb 'anycast'; valid: unicast, multicast, igmp",
                errorInMatch("nlb: anycast"));
    }

    @Test
    void unknownFragmentWordListsTheValidWords() {
        assertEquals("rules.yaml:5:17: unknown fragment 'middle'; valid: unfragmented, first, later",
                errorInMatch("fragment: middle"));
    }

    @Test
    void unknownProtocolNameSaysWhatIsAccepted() {
        assertEquals("rules.yaml:5:26: unknown ip_protocol 'sctp'; give a number 0..255 or one of: icmp, igmp, tcp,"
                + " udp", errorInMatch("ip_protocol: [udp, sctp]"));
    }

    @Test
    void protocolNumberOutOfRange() {
        assertEquals("rules.yaml:5:20: IP protocol 256 is out of range; IP protocol numbers are 0..255",
                errorInMatch("ip_protocol: 256"));
    }

    @Test
    void unknownEtherTypeNameSaysWhatIsAccepted() {
        assertEquals("rules.yaml:5:18: unknown ethertype 'ipx'; give a number such as 0x0806 or one of: ipv4, arp,"
                + " ipv6, llc", errorInMatch("ethertype: ipx"));
    }

    @Test
    void etherTypeBelow0x0600IsAnEthernetLength() {
        assertEquals("rules.yaml:5:18: ethertype 806 is an 802.3 length, not an EtherType; EtherTypes are"
                + " 0x0600..0xffff (write hexadecimal as 0x0806; 'llc' matches 802.3 frames)",
                errorInMatch("ethertype: 806"));
    }

    // ---- numbers, ranges, addresses ---------------------------------------------------------

    @Test
    void vlanAbove4095IsRejectedAtTheEntry() {
        assertEquals("rules.yaml:5:18: VLAN 4096 is out of range; VLAN IDs are 0..4095", errorInMatch("vlan: [10, 4096]"));
    }

    @Test
    void innerVlanWordOtherThanUntaggedIsABadVlan() {
        assertEquals("rules.yaml:5:19: bad VLAN 'tagged' in inner_vlan; expected a VLAN ID 0..4095, a range like"
                + " 100-199, or 'untagged'", errorInMatch("inner_vlan: tagged"));
    }

    @Test
    void vlanRangeThatRunsBackwardsIsABadRange() {
        assertEquals("rules.yaml:5:14: bad range '199-100' in vlan: the start is greater than the end; write 100-199",
                errorInMatch("vlan: [199-100]"));
    }

    @Test
    void portAbove65535IsOutOfRange() {
        assertEquals("rules.yaml:5:23: port 65536 is out of range; ports are 0..65535",
                errorInMatch("dst_port: [137, 65536]"));
    }

    @Test
    void portRangeEndAbove65535IsOutOfRange() {
        assertEquals("rules.yaml:5:17: port 70000 is out of range; ports are 0..65535", errorInMatch("src_port: 1024-70000"));
    }

    @Test
    void portRangeThatRunsBackwardsIsABadRange() {
        assertEquals("rules.yaml:5:17: bad range '2000-1000' in src_port: the start is greater than the end;"
                + " write 1000-2000", errorInMatch("src_port: 2000-1000"));
    }

    @Test
    void portNameIsABadPort() {
        assertEquals("rules.yaml:5:17: bad port 'http' in dst_port; expected a port 0..65535 or a range like"
                + " 1000-2000", errorInMatch("dst_port: http"));
    }

    @Test
    void prefixWithHostBitsSetNamesTheNetwork() {
        assertEquals("rules.yaml:5:17: bad prefix '10.8.1.7/16' in ipv4_src: host bits are set; the network is"
                + " 10.8.0.0/16", errorInMatch("ipv4_src: 10.8.1.7/16"));
    }

    @Test
    void addressWithOctet256IsABadAddress() {
        assertEquals("rules.yaml:5:30: bad address '10.0.0.256' in ipv4_dst: octet 256 is greater than 255",
                errorInMatch("ipv4_dst: [10.0.0.0/8, 10.0.0.256]"));
    }

    @Test
    void prefixLengthAbove32IsABadPrefix() {
        assertEquals("rules.yaml:5:17: bad prefix '10.0.0.0/33' in ipv4_dst: the prefix length must be 0..32",
                errorInMatch("ipv4_dst: 10.0.0.0/33"));
    }

    @Test
    void addressWithThreeOctetsIsABadAddress() {
        assertEquals("rules.yaml:5:17: bad address '10.0.0' in ipv4_dst; expected a prefix such as 10.8.0.0/16 or an"
                + " address such as 10.8.1.2", errorInMatch("ipv4_dst: 10.0.0"));
    }

    @Test
    void badSubnetIsReportedAtTheSubnet() {
        assertEquals("rules.yaml:3:5: bad prefix '10.8.0.255/24' in subnets: host bits are set; the network is"
                + " 10.8.0.0/24", error("subnets:\n  - 10.1.0.0/16\n  - 10.8.0.255/24\n"));
    }

    // ---- compile-time ----------------------------------------------------------------------

    @Test
    void unknownIngressPortIsReportedAtThePortName() {
        RuleSet rs = RuleSetLoader.parse("rules.yaml", """
                rules:
                  - name: a
                    match: {ingress: [eth1, eth9]}
                    action: drop
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> CompiledRules.compile(rs, List.of("eth1", "eth2")));
        assertEquals("rules.yaml:3:29: unknown port 'eth9'; the bridge's ports are eth1, eth2", e.getMessage());
        assertEquals(3, e.line());
        assertEquals(29, e.column());
        assertEquals("rules.yaml", e.file());
        assertEquals("unknown port 'eth9'; the bridge's ports are eth1, eth2", e.detail());
    }
}
