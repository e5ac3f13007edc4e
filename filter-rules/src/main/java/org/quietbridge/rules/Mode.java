package org.quietbridge.rules;

import java.util.Locale;

/** How a rule set treats its {@link Action#DROP} rules. */
public enum Mode {
    /** Drop rules drop. */
    ENFORCE,
    /** Every drop becomes a count: the bridge forwards everything and shows what it would drop. */
    MONITOR;

    /** The word used in YAML and reports. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
