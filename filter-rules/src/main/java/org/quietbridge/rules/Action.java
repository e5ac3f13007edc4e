package org.quietbridge.rules;

import java.util.Locale;

/** What a matching rule does with a frame. */
public enum Action {
    DROP,
    FORWARD,
    /** Count the frame in the rule's hit counter, then forward it. */
    COUNT;

    /** The word used in YAML and reports. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
