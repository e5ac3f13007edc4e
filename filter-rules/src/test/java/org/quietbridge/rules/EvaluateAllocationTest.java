package org.quietbridge.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.frame.FrameView;
import org.quietbridge.frame.NlbMac;
import org.quietbridge.frame.testing.FrameBuilder;

/**
 * The steady state allocates nothing (STYLE.md, rule 2): a million frames through wrap and
 * evaluate, on the default rules and on a rule set that uses every key, leave the thread's
 * allocation counter where it was.
 */
class EvaluateAllocationTest {
    private static final int FRAMES = 1_000_000;
    /**
     * Bytes allowed over the whole loop: less than one allocation per thousand frames, so any
     * per-frame allocation (16 bytes at the least) fails by four orders of magnitude.
     */
    private static final long ALLOWED_BYTES = 1024;

    private static final String RICH = """
            subnets: [10.8.0.0/16, 10.20.4.0/22]
            rules:
              - name: port-scoped
                match: {ingress: eth2, vlan: [untagged, 5-9], ip_protocol: tcp}
                action: count
              - name: qinq
                match: {vlan: 300, inner_vlan: [10, 20-30], ethertype: [ipv4, arp]}
                action: forward
              - name: sources
                match: {ipv4_src: [192.168.0.0/16, 172.16.0.0/12], ipv4_dst: [10.8.0.0/16, 10.9.0.1], src_port: 1-1023}
                action: count
              - name: nlb-flood
                match: {nlb: [unicast, multicast, igmp], l2_dst: [unicast, multicast]}
                action: count
              - name: fragments
                match: {fragment: [first, later], ipv4_dst_class: [broadcast, multicast]}
                action: drop
              - name: bad
                match: {malformed: true}
                action: count
              - name: unicast-class
                match: {ipv4_dst_class: unicast, dst_port: [22, 3389, 5900-5910]}
                action: count
              - name: llc
                match: {ethertype: llc, l2_dst: multicast}
                action: forward
              - name: netbios-broadcast-l2
                match: {ip_protocol: udp, dst_port: [137, 138], l2_dst: [broadcast, multicast]}
                action: drop
              - name: netbios-broadcast-l3
                match: {ip_protocol: udp, dst_port: [137, 138], ipv4_dst_class: [broadcast, multicast]}
                action: drop
            """;

    private static MemorySegment[] frames() {
        byte[][] f = {
            FrameBuilder.ethernet().broadcast().udp("10.8.1.5", "255.255.255.255", 137, 137).payload(50).build(),
            FrameBuilder.ethernet().vlan(0x8100, 150).udp("10.8.1.5", "10.8.255.255", 138, 138).payload(80).build(),
            FrameBuilder.ethernet().vlan(0x88a8, 300).vlan(0x8100, 25).tcp("10.8.1.5", "10.8.0.10", 50000, 445).build(),
            FrameBuilder.ethernet().broadcast().arp(1, 0x0011_2233_4455L, "10.8.1.5", 0, "10.8.0.1").padTo(60).build(),
            FrameBuilder.ethernet().dst("01:00:5e:00:00:fb").udp("10.8.1.5", "224.0.0.251", 5353, 5353).build(),
            FrameBuilder.ethernet().dst(NlbMac.unicastMac(0x0A08_0032)).tcp("192.168.1.1", "10.8.0.50", 1000, 80).build(),
            FrameBuilder.ethernet().broadcast().udp("10.8.1.5", "10.8.255.255", 138, 138).laterFragment(185, false)
                    .payload(100).build(),
            FrameBuilder.ethernet().dst("01:80:c2:00:00:00").llc(0x42, 0x42, 3, new byte[35]).padTo(60).build(),
            FrameBuilder.ethernet().udp("10.8.1.5", "10.8.0.1", 1, 2).totalLength(300).build(),
        };
        MemorySegment[] segments = new MemorySegment[f.length];
        for (int i = 0; i < f.length; i++) {
            segments[i] = MemorySegment.ofArray(f[i]);
        }
        return segments;
    }

    /** Wraps and evaluates {@code n} frames; returns a checksum so the work cannot be optimised away. */
    private static long run(CompiledRules rules, FrameView view, MemorySegment[] frames, int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            MemorySegment s = frames[i % frames.length];
            view.wrap(s, 0, (int) s.byteSize(), (i & 3) == 0 ? 0x8100 : 0, i & 0xFFF);
            int rule = rules.evaluate(view, i & 1);
            sum += rule + (rules.drops(rule) ? 1 : 0);
        }
        return sum;
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static long allocationOverMillionFrames(CompiledRules rules) {
        FrameView view = new FrameView();
        MemorySegment[] frames = frames();
        // Warm up until wrap and evaluate are compiled (C2 takes ~10k invocations per method).
        long sink = 0;
        for (int round = 0; round < 20; round++) {
            sink += run(rules, view, frames, 50_000);
        }
        long baselineStart = allocatedBytes();
        long baselineEnd = allocatedBytes();
        long measurementCost = baselineEnd - baselineStart;

        long hitsBefore = totalHits(rules);
        long start = allocatedBytes();
        sink += run(rules, view, frames, FRAMES);
        long end = allocatedBytes();
        assertTrue(sink != Long.MIN_VALUE);
        long hits = totalHits(rules) - hitsBefore;
        assertTrue(hits > FRAMES / 10, "the loop must exercise matching rules, not only misses: " + hits);
        return end - start - measurementCost;
    }

    private static long totalHits(CompiledRules rules) {
        long total = 0;
        for (int i = 0; i < rules.size(); i++) {
            total += rules.hits(i);
        }
        return total;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void evaluatingAMillionFramesThroughTheDefaultRulesAllocatesNothing() {
        CompiledRules rules = CompiledRules.compile(RuleSetLoader.defaults(), RuleProbe.PORTS);
        long bytes = allocationOverMillionFrames(rules);
        assertTrue(bytes < ALLOWED_BYTES, "allocated " + bytes + " bytes over " + FRAMES + " frames");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void evaluatingAMillionFramesThroughARuleSetUsingEveryKeyAllocatesNothing() {
        CompiledRules rules = CompiledRules.compile(RuleSetLoader.parse("rich.yaml", RICH), RuleProbe.PORTS);
        assertEquals(10, rules.size());
        long bytes = allocationOverMillionFrames(rules);
        assertTrue(bytes < ALLOWED_BYTES, "allocated " + bytes + " bytes over " + FRAMES + " frames");
    }
}
