package org.quietbridge.bridge.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.quietbridge.bridge.forward.LinkLocalPolicy;
import org.quietbridge.rules.RuleSetLoader;

/**
 * The rule set as the kernel's stand-in carries it: the nft lines an operator would read in
 * {@code nft list table netdev quietbridge_...}, and the report {@code check} prints.
 */
class FallbackRulesTest {
    private static final String FWD = "fwd to \"core0\"";

    private static FallbackRules rules(String yaml) {
        return FallbackRules.of(RuleSetLoader.parse("rules.yaml", yaml));
    }

    @Test
    void theDefaultRulesDropNetbiosBroadcastsAndMulticastsAtLayerTwoAndThree() {
        FallbackRules fallback = FallbackRules.of(RuleSetLoader.defaults());

        assertEquals(List.of(new FallbackRules.Carried("netbios-broadcast-l2", true, "drop"),
                new FallbackRules.Carried("netbios-broadcast-l3", true, "drop")), fallback.report());
        List<String> lines = fallback.lines("ap0", FWD);
        assertEquals(List.of(
                "ether daddr & 01:00:00:00:00:00 == 01:00:00:00:00:00 meta protocol ip meta l4proto 17"
                        + " th dport 137-138 counter drop comment \"netbios-broadcast-l2\"",
                "meta protocol ip ip daddr 255.255.255.255 meta l4proto 17 th dport 137-138 counter drop"
                        + " comment \"netbios-broadcast-l3\"",
                "meta protocol ip ip daddr 224.0.0.0/4 meta l4proto 17 th dport 137-138 counter drop"
                        + " comment \"netbios-broadcast-l3\"",
                "meta protocol ip ip daddr & 0.0.0.255 == 0.0.0.255 ip daddr != 255.255.255.255"
                        + " ip daddr != 224.0.0.0/4 meta l4proto 17 th dport 137-138 counter drop"
                        + " comment \"netbios-broadcast-l3\""), lines);
    }

    @Test
    void aConfiguredSubnetsDirectedBroadcastIsMatchedAndKeptOutOfTheAllOnesClass() {
        FallbackRules fallback = rules("""
                subnets: [10.8.0.0/16]
                rules:
                  - name: directed
                    match: {ipv4_dst_class: [directed-broadcast, all-ones-host]}
                    action: drop
                """);
        assertEquals(List.of(
                "meta protocol ip ip daddr 10.8.255.255 ip daddr != 224.0.0.0/4 counter drop comment \"directed\"",
                "meta protocol ip ip daddr & 0.0.0.255 == 0.0.0.255 ip daddr != 255.255.255.255"
                        + " ip daddr != 224.0.0.0/4 ip daddr != 10.8.255.255 counter drop comment \"directed\""),
                fallback.lines("ap0", FWD));
    }

    @Test
    void forwardRulesForwardAndIngressRestrictsARuleToItsPort() {
        FallbackRules fallback = rules("""
                rules:
                  - name: smb-from-core
                    match: {ingress: core0, ip_protocol: tcp, dst_port: 445}
                    action: forward
                  - name: no-ssdp
                    match: {ip_protocol: udp, dst_port: 1900, ipv4_dst: 239.255.255.250/32}
                    action: drop
                """);
        assertEquals(List.of("meta protocol ip ip daddr 239.255.255.250/32 meta l4proto 17 th dport 1900 counter drop"
                + " comment \"no-ssdp\""), fallback.lines("ap0", FWD));
        List<String> core = fallback.lines("core0", "fwd to \"ap0\"");
        assertEquals(2, core.size(), core.toString());
        assertEquals("meta protocol ip meta l4proto 6 th dport 445 fwd to \"ap0\" comment \"smb-from-core\"",
                core.get(0));
    }

    @Test
    void whatNftablesCannotSayIsNotCarriedAndAForwardItCannotCarryHoldsBackTheDropsAfterIt() {
        FallbackRules fallback = rules("""
                rules:
                  - name: nlb
                    match: {nlb: unicast}
                    action: drop
                  - name: guests
                    match: {vlan: 20}
                    action: forward
                  - name: netbios
                    match: {ip_protocol: udp, dst_port: [137, 138]}
                    action: drop
                """);
        List<FallbackRules.Carried> report = fallback.report();
        assertFalse(report.get(0).carried());
        assertTrue(report.get(0).reason().startsWith("nlb:"), report.get(0).reason());
        assertFalse(report.get(1).carried());
        assertTrue(report.get(1).reason().startsWith("vlan:"), report.get(1).reason());
        assertEquals(new FallbackRules.Carried("netbios", false,
                "it comes after guests, which the stand-in cannot carry"), report.get(2));
        assertEquals(List.of(), fallback.lines("ap0", FWD));
    }

    @Test
    void aDropThatCannotBeCarriedHoldsNothingBack() {
        FallbackRules fallback = rules("""
                rules:
                  - name: broken
                    match: {malformed: true}
                    action: drop
                  - name: netbios
                    match: {ip_protocol: udp, dst_port: 137}
                    action: drop
                """);
        assertFalse(fallback.report().get(0).carried());
        assertEquals(new FallbackRules.Carried("netbios", true, "drop"), fallback.report().get(1));
        assertEquals(1, fallback.lines("ap0", FWD).size());
    }

    @Test
    void linkLocalDropComesBeforeEveryRuleAsInTheDataPlane() {
        FallbackRules fallback = FallbackRules.of(RuleSetLoader.parse("rules.yaml", """
                rules:
                  - name: everything
                    match: {}
                    action: forward
                """), LinkLocalPolicy.DROP);
        List<String> lines = fallback.lines("ap0", FWD);
        assertEquals("ether daddr & ff:ff:ff:ff:ff:f0 == 01:80:c2:00:00:00 counter drop comment \"link_local: drop\"",
                lines.getFirst());
        assertEquals(FWD + " comment \"everything\"", lines.get(1));
        assertEquals(List.of(FWD + " comment \"everything\""),
                FallbackRules.of(RuleSetLoader.parse("rules.yaml", """
                        rules:
                          - name: everything
                            match: {}
                            action: forward
                        """), LinkLocalPolicy.FORWARD).lines("ap0", FWD));
    }

    @Test
    void portsAreTcpAndUdpOnlyAsTheDecoderReadsThem() {
        FallbackRules fallback = rules("""
                rules:
                  - name: mixed
                    match: {ip_protocol: [icmp, udp], dst_port: 137}
                    action: drop
                  - name: icmp-ports
                    match: {ip_protocol: icmp, dst_port: 137}
                    action: drop
                """);
        assertEquals(List.of("meta protocol ip meta l4proto 17 th dport 137 counter drop comment \"mixed\""),
                fallback.lines("ap0", FWD), "ICMP has no ports: the second rule never matches");
    }

    @Test
    void inMonitorModeTheStandInDropsNothing() {
        FallbackRules fallback = rules("""
                mode: monitor
                rules:
                  - name: netbios
                    match: {ip_protocol: udp, dst_port: 137, l2_dst: broadcast}
                    action: drop
                """);
        assertEquals(List.of(new FallbackRules.Carried("netbios", true, "forward")), fallback.report());
        assertEquals(List.of("ether daddr ff:ff:ff:ff:ff:ff meta protocol ip meta l4proto 17 th dport 137 "
                + FWD + " comment \"netbios\""), fallback.lines("ap0", FWD));
    }

    @Test
    void theTableHasAGateAChainPerPortAndForwardsToEveryOtherPort() {
        KernelFallback two = new KernelFallback(List.of("ap0", "core0"), FailoverSettings.defaults());
        assertEquals("quietbridge_ap0_core0", two.table());
        String script = two.script(FallbackRules.of(RuleSetLoader.defaults()), false);
        assertTrue(script.startsWith("table netdev quietbridge_ap0_core0\ndelete table netdev quietbridge_ap0_core0\n"
                + "table netdev quietbridge_ap0_core0 {\n    set alive {\n        type iface_type\n        flags timeout\n    }\n"
                + "    chain in_ap0 {\n        type filter hook ingress device \"ap0\" priority -500; policy accept;\n"
                + "        meta iiftype @alive drop\n"), script);
        assertTrue(script.contains("        fwd to \"core0\"\n    }\n    chain in_core0 {\n"), script);
        assertTrue(script.endsWith("        fwd to \"ap0\"\n    }\n}\n"), script);

        String shut = two.script(FallbackRules.of(RuleSetLoader.defaults()), true);
        assertTrue(shut.contains("    set alive {\n        type iface_type\n        flags timeout\n"
                + "        elements = { ether timeout 200ms }\n    }\n"), shut);

        KernelFallback three = new KernelFallback(List.of("a", "b.10", "c"), FailoverSettings.defaults());
        assertEquals("quietbridge_a_b_10_c", three.table());
        String rules = three.rulesScript(FallbackRules.of(RuleSetLoader.defaults()));
        assertTrue(rules.startsWith("flush chain netdev quietbridge_a_b_10_c in_a\n"
                + "add rule netdev quietbridge_a_b_10_c in_a meta iiftype @alive drop\n"), rules);
        assertTrue(rules.contains("add rule netdev quietbridge_a_b_10_c in_a dup to \"b.10\" fwd to \"c\"\n"), rules);
        assertTrue(rules.contains("add rule netdev quietbridge_a_b_10_c in_b_10 dup to \"a\" fwd to \"c\"\n"), rules);
        assertFalse(rules.contains("delete table"), "a reload keeps the set, and with it the gate");
    }
}
