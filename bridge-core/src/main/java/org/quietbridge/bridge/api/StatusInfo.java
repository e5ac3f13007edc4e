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
 * @param failover the kernel's stand-in
 */
public record StatusInfo(String version, double uptimeSeconds, long pid, boolean forwarding, String mode,
        String rulesDigest, int ruleCount, List<Port> ports, Failover failover) {

    public StatusInfo {
        ports = List.copyOf(ports);
    }

    /**
     * The kernel's stand-in: {@code mode} "kernel" or "off"; {@code active} while the kernel forwards (the
     * data plane has not held the gate within its timeout).
     */
    public record Failover(String mode, boolean active) {
    }

    /**
     * A bridge port: its interface name, MTU, and {@code state}: "up", "no-carrier", "held-down"
     * ({@code link_state: propagate} set it down) or "gone" (its interface was deleted).
     */
    public record Port(String name, int mtu, String state) {
    }
}
