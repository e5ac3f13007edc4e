package org.quietbridge.rules;

import java.util.List;

import org.quietbridge.frame.FrameView;
import org.quietbridge.frame.Ipv4Subnets;

/** The compiled matcher. Work in progress: signatures are final. */
public final class CompiledRules {
    private CompiledRules() {
    }

    public static CompiledRules compile(RuleSet rs, List<String> portNames) {
        throw new UnsupportedOperationException("not yet");
    }

    public int evaluate(FrameView frame, int ingressPort) {
        return -1;
    }

    public boolean drops(int ruleIndex) {
        return false;
    }

    public Action action(int ruleIndex) {
        throw new UnsupportedOperationException("not yet");
    }

    public Action effectiveAction(int ruleIndex) {
        throw new UnsupportedOperationException("not yet");
    }

    public int size() {
        return 0;
    }

    public String name(int ruleIndex) {
        throw new UnsupportedOperationException("not yet");
    }

    public long hits(int ruleIndex) {
        return 0;
    }

    public String describe(int ruleIndex) {
        throw new UnsupportedOperationException("not yet");
    }

    public Mode mode() {
        throw new UnsupportedOperationException("not yet");
    }

    public Ipv4Subnets subnets() {
        throw new UnsupportedOperationException("not yet");
    }

    public RuleSet ruleSet() {
        throw new UnsupportedOperationException("not yet");
    }

    public String digest() {
        throw new UnsupportedOperationException("not yet");
    }

    public void carryOverHits(CompiledRules previous) {
    }
}
