package org.quietbridge.bridge.api;

/**
 * One rule of the rule set in use.
 *
 * @param name the rule's name
 * @param action the action taken ("drop", "forward" or "count"): as written, except that a drop
 *     is a count in monitor mode
 * @param hits frames that matched the rule so far
 * @param description one line: number, name, action and match, as {@code quietbridge check}
 *     prints it
 */
public record RuleInfo(String name, String action, long hits, String description) {
}
