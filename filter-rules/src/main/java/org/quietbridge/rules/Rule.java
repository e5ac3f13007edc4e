package org.quietbridge.rules;

import java.util.Objects;

/**
 * One rule of a {@link RuleSet}: frames that satisfy {@code match} get {@code action}.
 *
 * @param name unique within its rule set; names the hit counter and survives reloads
 * @param position where the rule starts in its source, for reports and {@code explain}
 */
public record Rule(String name, Match match, Action action, SourcePosition position) {

    public Rule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(position, "position");
    }
}
