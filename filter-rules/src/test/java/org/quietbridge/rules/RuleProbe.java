package org.quietbridge.rules;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.quietbridge.frame.FrameView;

/** Runs test frames through compiled rules, one reused {@link FrameView}, as the data plane does. */
final class RuleProbe {
    static final List<String> PORTS = List.of("eth1", "eth2");

    final CompiledRules rules;
    private final FrameView view = new FrameView();

    RuleProbe(CompiledRules rules) {
        this.rules = rules;
    }

    /** Compiles {@code yaml} (a whole rule file) against ports eth1 (0) and eth2 (1). */
    static RuleProbe of(String yaml) {
        return new RuleProbe(CompiledRules.compile(RuleSetLoader.parse("test.yaml", yaml), PORTS));
    }

    static RuleProbe of(RuleSet rs) {
        return new RuleProbe(CompiledRules.compile(rs, PORTS));
    }

    /** One rule named {@code r} that drops what {@code flowMatch} (the inside of a flow mapping) matches. */
    static RuleProbe oneRule(String flowMatch) {
        return of("rules:\n  - name: r\n    match: {" + flowMatch + "}\n    action: drop\n");
    }

    /** Same, with {@code subnets} set for ipv4_dst_class. */
    static RuleProbe oneRule(String subnets, String flowMatch) {
        return of("subnets: [" + subnets + "]\nrules:\n  - name: r\n    match: {" + flowMatch + "}\n    action: drop\n");
    }

    /** Index of the first matching rule for a frame arriving on eth1, or -1. */
    int first(byte[] frame) {
        return first(frame, 0);
    }

    /**
     * Index of the first matching rule for a frame arriving on port {@code ingressPort}. The frame
     * must decode cleanly, so a "passes" test cannot pass merely because a test frame was broken.
     */
    int first(byte[] frame, int ingressPort) {
        return rules.evaluate(wellFormed(view.wrap(MemorySegment.ofArray(frame), 0, frame.length)), ingressPort);
    }

    /** A frame whose outer tag the kernel stripped and reported out of band. */
    int firstWithOutOfBandTag(byte[] frame, int tpid, int tci) {
        return rules.evaluate(wellFormed(view.wrap(MemorySegment.ofArray(frame), 0, frame.length, tpid, tci)), 0);
    }

    /** For frames that are malformed on purpose. */
    int firstMalformed(byte[] frame) {
        FrameView v = view.wrap(MemorySegment.ofArray(frame), 0, frame.length);
        if (!v.malformed()) {
            throw new AssertionError("test frame should be malformed");
        }
        return rules.evaluate(v, 0);
    }

    private static FrameView wellFormed(FrameView v) {
        if (v.malformed()) {
            throw new AssertionError("test frame does not decode: " + v.malformation().label());
        }
        return v;
    }

    boolean matches(byte[] frame) {
        return first(frame) >= 0;
    }

    boolean drops(byte[] frame) {
        return rules.drops(first(frame));
    }
}
