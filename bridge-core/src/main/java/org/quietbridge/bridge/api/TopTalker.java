package org.quietbridge.bridge.api;

/**
 * A source MAC and how many of its frames were dropped in the window asked for.
 *
 * @param mac lower-case, colon-separated
 * @param droppedFrames frames from this source dropped in the window
 * @param lastRule the rule that dropped its latest frame, or null when unknown
 */
public record TopTalker(String mac, long droppedFrames, String lastRule) {
}
