package org.quietbridge.bridge.api;

import java.util.List;

/**
 * What {@code GET /api/status} shows.
 *
 * @param version the build's version, or "development" when run from classes
 * @param uptimeSeconds seconds since the bridge started
 * @param pid the process id
 * @param forwarding whether the data-plane thread runs
 * @param mode the rule set's mode: "enforce" or "monitor"
 * @param rulesDigest SHA-256 of the rule set's canonical text (equal for rule sets that act alike)
 * @param ruleCount how many rules the rule set has
 * @param ports the bridge's ports, in port-number order
 */
public record StatusInfo(String version, double uptimeSeconds, long pid, boolean forwarding, String mode,
        String rulesDigest, int ruleCount, List<Port> ports) {

    public StatusInfo {
        ports = List.copyOf(ports);
    }

    /** A bridge port: its interface name and MTU. */
    public record Port(String name, int mtu) {
    }
}
