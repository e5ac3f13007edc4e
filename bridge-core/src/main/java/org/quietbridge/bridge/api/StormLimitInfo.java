package org.quietbridge.bridge.api;

/**
 * A storm-control limit and what it did.
 *
 * @param port the ingress port it limits
 * @param stormClass broadcast, multicast, unknown_unicast or arp
 * @param pps frames per second let through
 * @param fallingPps a storm ends after a second with at most this many
 * @param action drop or log
 * @param active whether a storm lasts now
 * @param storms storms that began
 * @param dropped frames over the limit, dropped
 * @param logged frames over the limit, forwarded and counted (action log)
 * @param topSource the heaviest source of the current or last storm (when it began, or over it once it
 *                  ended), or null before the first
 * @param peakPps the most frames of the class within one second of the current or last storm
 */
public record StormLimitInfo(String port, String stormClass, long pps, long fallingPps, String action, boolean active,
        long storms, long dropped, long logged, String topSource, long peakPps) {
}
