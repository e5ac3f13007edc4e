package org.quietbridge.bridge.api;

import java.util.Objects;

/**
 * What {@code POST /api/reload} did.
 *
 * @param outcome applied, rejected (the configuration on disk is invalid) or unavailable
 * @param message for {@link Outcome#REJECTED} the error as {@code file:line:column: message};
 *     otherwise one line for an operator
 * @param rulesDigest the digest of the rule set in use afterwards, or null when unknown
 */
public record ReloadResult(Outcome outcome, String message, String rulesDigest) {

    public ReloadResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(message, "message");
    }

    public static ReloadResult applied(String message, String rulesDigest) {
        return new ReloadResult(Outcome.APPLIED, message, rulesDigest);
    }

    public static ReloadResult rejected(String error, String rulesDigest) {
        return new ReloadResult(Outcome.REJECTED, error, rulesDigest);
    }

    public static ReloadResult unavailable(String why) {
        return new ReloadResult(Outcome.UNAVAILABLE, why, null);
    }

    public boolean ok() {
        return outcome == Outcome.APPLIED;
    }

    /** How a reload ended. */
    public enum Outcome {
        /** The new configuration is in use. */
        APPLIED,
        /** The configuration on disk is invalid; the old one stays in use. */
        REJECTED,
        /** This bridge cannot reload (no reload controller is attached). */
        UNAVAILABLE
    }
}
