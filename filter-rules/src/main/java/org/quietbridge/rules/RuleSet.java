package org.quietbridge.rules;

import java.util.List;
import java.util.Objects;

import org.quietbridge.frame.Ipv4Prefix;

/**
 * A loaded rule set: an ordered rule list (first match wins; no match forwards), a mode, and
 * the IPv4 subnets whose directed broadcasts {@code ipv4_dst_class} recognises.
 *
 * @param source the file (or source name) the rule set was read from
 * @param defaultRules true when the source had no {@code rules:} key and the shipped default
 *     rules ({@link RuleSetLoader#defaults()}) were taken
 */
public record RuleSet(String source, Mode mode, List<Ipv4Prefix> subnets, List<Rule> rules, boolean defaultRules) {

    public RuleSet {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(mode, "mode");
        subnets = List.copyOf(subnets);
        rules = List.copyOf(rules);
    }

    /** The same rules under another mode (for example {@code run --monitor}). */
    public RuleSet withMode(Mode newMode) {
        return new RuleSet(source, newMode, subnets, rules, defaultRules);
    }
}
