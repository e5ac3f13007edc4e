package org.quietbridge.it;

import org.quietbridge.lab.Role;

/**
 * Which way a frame crosses the bridge, with the addressing of the hosts at both ends (the
 * lab's fixed addresses; {@link LabTopologyTest} checks them).
 */
enum Direction {
    AP_TO_CORE(Role.AP, Role.CORE),
    CORE_TO_AP(Role.CORE, Role.AP);

    final Role from;
    final Role to;

    Direction(Role from, Role to) {
        this.from = from;
        this.to = to;
    }

    String srcMac() {
        return mac(from);
    }

    String dstMac() {
        return mac(to);
    }

    String srcIp() {
        return ipv4(from);
    }

    String dstIp() {
        return ipv4(to);
    }

    /** A short tag for marker names. */
    String tag() {
        return from == Role.AP ? "ap" : "core";
    }

    static String mac(Role host) {
        return switch (host) {
            case AP -> "02:77:00:00:00:10";
            case CORE -> "02:77:00:00:00:20";
            case BR -> throw new IllegalArgumentException("the bridge namespace has no host");
        };
    }

    static String ipv4(Role host) {
        return switch (host) {
            case AP -> "10.77.0.10";
            case CORE -> "10.77.0.20";
            case BR -> throw new IllegalArgumentException("the bridge namespace has no host");
        };
    }

    static Direction from(Role host) {
        return host == Role.AP ? AP_TO_CORE : CORE_TO_AP;
    }
}
