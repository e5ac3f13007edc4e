package org.quietbridge.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.frame.testing.FrameBuilder;

/** Verdicts, first-match order, modes, hit counters, reports and reload support. */
class CompiledRulesTest {
    private static final String LAYERED = """
            mode: enforce
            rules:
              - name: keep-vlan-10
                match: {vlan: 10, ip_protocol: udp, dst_port: 137}
                action: forward
              - name: count-mdns
                match: {ipv4_dst: 224.0.0.251, dst_port: 5353}
                action: count
              - name: drop-netbios
                match: {ip_protocol: udp, dst_port: 137-138}
                action: drop
            """;

    private static byte[] netbiosBroadcast(int vid) {
        FrameBuilder b = FrameBuilder.ethernet().broadcast();
        if (vid >= 0) {
            b.vlan(0x8100, vid);
        }
        return b.udp("10.8.1.5", "255.255.255.255", 137, 137).payload(50).build();
    }

    private static byte[] mdns() {
        return FrameBuilder.ethernet().dst("01:00:5e:00:00:fb").udp("10.8.1.5", "224.0.0.251", 5353, 5353).build();
    }

    @Test
    void firstMatchingRuleWinsEvenWhenALaterRuleAlsoMatches() {
        RuleProbe p = RuleProbe.of(LAYERED);
        assertEquals(0, p.first(netbiosBroadcast(10)));
        assertFalse(p.drops(netbiosBroadcast(10)));
        assertEquals(2, p.first(netbiosBroadcast(20)));
        assertTrue(p.drops(netbiosBroadcast(20)));
    }

    @Test
    void countRuleCountsAndForwards() {
        RuleProbe p = RuleProbe.of(LAYERED);
        assertEquals(1, p.first(mdns()));
        assertFalse(p.rules.drops(1));
        assertEquals(Action.COUNT, p.rules.effectiveAction(1));
        assertEquals(1, p.rules.hits(1));
    }

    @Test
    void noMatchIsMinusOneAndNeverDrops() {
        RuleProbe p = RuleProbe.of(LAYERED);
        byte[] dns = FrameBuilder.ethernet().udp("10.8.1.5", "10.8.0.1", 40000, 53).build();
        assertEquals(CompiledRules.NO_MATCH, p.first(dns));
        assertFalse(p.rules.drops(CompiledRules.NO_MATCH));
    }

    @Test
    void monitorModeTurnsEveryDropIntoACountAndLeavesOtherActionsAlone() {
        RuleSet enforce = RuleSetLoader.parse("l.yaml", LAYERED);
        CompiledRules monitor = CompiledRules.compile(enforce.withMode(Mode.MONITOR), null);
        assertEquals(Mode.MONITOR, monitor.mode());
        assertEquals(List.of(Action.FORWARD, Action.COUNT, Action.COUNT),
                List.of(monitor.effectiveAction(0), monitor.effectiveAction(1), monitor.effectiveAction(2)));
        assertEquals(Action.DROP, monitor.action(2));
        for (int i = 0; i < monitor.size(); i++) {
            assertFalse(monitor.drops(i));
        }
        assertTrue(CompiledRules.compile(enforce, null).drops(2));
    }

    @Test
    void hitCountersCountEachMatchOnItsRule() {
        RuleProbe p = RuleProbe.of(LAYERED);
        for (int i = 0; i < 5; i++) {
            p.first(netbiosBroadcast(20));
        }
        p.first(netbiosBroadcast(10));
        p.first(mdns());
        p.first(mdns());
        assertEquals(1, p.rules.hits(0));
        assertEquals(2, p.rules.hits(1));
        assertEquals(5, p.rules.hits(2));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void hitCountersAreReadableFromAnotherThreadWhileTheDataPlaneCounts() throws InterruptedException {
        RuleProbe p = RuleProbe.of(LAYERED);
        byte[] f = netbiosBroadcast(20);
        AtomicLong seen = new AtomicLong();
        Thread reader = Thread.ofPlatform().start(() -> {
            long last = 0;
            while (last < 100_000) {
                long now = p.rules.hits(2);
                if (now < last) {
                    throw new AssertionError("counter went backwards: " + last + " -> " + now);
                }
                last = now;
                Thread.onSpinWait();
            }
            seen.set(last);
        });
        for (int i = 0; i < 100_000; i++) {
            p.first(f);
        }
        reader.join();
        assertEquals(100_000, seen.get());
    }

    @Test
    void carryOverHitsKeepsCountsOfRulesWithTheSameName() {
        RuleProbe old = RuleProbe.of(LAYERED);
        old.first(netbiosBroadcast(20));
        old.first(netbiosBroadcast(20));
        old.first(mdns());
        CompiledRules reloaded = CompiledRules.compile(RuleSetLoader.parse("new.yaml", """
                rules:
                  - name: drop-netbios
                    match: {ip_protocol: udp, dst_port: [137, 138, 139]}
                    action: drop
                  - name: brand-new
                    action: count
                """), RuleProbe.PORTS);
        reloaded.carryOverHits(old.rules);
        assertEquals(2, reloaded.hits(0));
        assertEquals(0, reloaded.hits(1));
    }

    @Test
    void describeAlignsNumberNameActionAndMatch() {
        CompiledRules rules = RuleProbe.of(LAYERED).rules;
        assertEquals("  1 keep-vlan-10           forward vlan 10 udp dst_port 137", rules.describe(0));
        assertEquals("  2 count-mdns             count   ipv4_dst 224.0.0.251/32 dst_port 5353", rules.describe(1));
        assertEquals("  3 drop-netbios           drop    udp dst_port 137-138", rules.describe(2));
        assertEquals("drop-netbios", rules.name(2));
        assertEquals(3, rules.size());
    }

    @Test
    void digestIgnoresLayoutCommentsAndValueOrder() {
        String a = """
                rules:
                  - name: r
                    match: {dst_port: [138, 137], l2_dst: [multicast, broadcast], ip_protocol: udp}
                    action: drop
                """;
        String b = """
                # the same rule, written differently
                mode: enforce
                rules:
                  - name: r
                    action: drop
                    match:
                      ip_protocol: UDP
                      l2_dst: [broadcast, multicast]
                      dst_port: 137-138
                """;
        String digestA = CompiledRules.compile(RuleSetLoader.parse("a", a), null).digest();
        assertEquals(digestA, CompiledRules.compile(RuleSetLoader.parse("b", b), null).digest());
        assertEquals(64, digestA.length());
        assertTrue(digestA.matches("[0-9a-f]{64}"));
    }

    @Test
    void digestChangesWithModeSubnetsActionsAndMatches() {
        RuleSet base = RuleSetLoader.parse("a", "rules: [{name: r, match: {dst_port: 137}, action: drop}]");
        String d = CompiledRules.compile(base, null).digest();
        assertNotEquals(d, CompiledRules.compile(base.withMode(Mode.MONITOR), null).digest());
        assertNotEquals(d, CompiledRules.compile(RuleSetLoader.parse("a",
                "subnets: 10.0.0.0/8\nrules: [{name: r, match: {dst_port: 137}, action: drop}]"), null).digest());
        assertNotEquals(d, CompiledRules.compile(RuleSetLoader.parse("a",
                "rules: [{name: r, match: {dst_port: 137}, action: count}]"), null).digest());
        assertNotEquals(d, CompiledRules.compile(RuleSetLoader.parse("a",
                "rules: [{name: r, match: {dst_port: 138}, action: drop}]"), null).digest());
    }

    @Test
    void canonicalTextNamesModeSubnetsAndRules() {
        CompiledRules c = CompiledRules.compile(RuleSetLoader.parse("a", "mode: monitor\nsubnets: [10.8.0.0/16]\n"), null);
        assertEquals("""
                quietbridge-rules 1
                mode monitor
                subnets 10.8.0.0/16
                rule netbios-broadcast-l2 drop udp dst_port 137-138 l2_dst broadcast,multicast
                rule netbios-broadcast-l3 drop udp dst_port 137-138 ipv4_dst_class broadcast,multicast
                """, c.canonicalText());
        assertEquals(1, c.subnets().size());
        assertTrue(c.subnets().isDirectedBroadcast(org.quietbridge.frame.Ipv4.parse("10.8.255.255")));
    }
}
