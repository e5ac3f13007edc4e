package org.quietbridge.it;

import org.quietbridge.lab.Role;

/**
 * Which way a frame crosses the bridge, with the addressing of the hosts at both ends (the
 * lab's fixed addresses; {@code operations.LabTopologyTest} checks them).
 */
public enum Direction {
    AP_TO_CORE(Role.AP, Role.CORE),
    CORE_TO_AP(Role.CORE, Role.AP);

    public final Role from;
    public final Role to;

    Direction(Role from, Role to) {
        this.from = from;
        this.to = to;
    }

    public String srcMac() {
        return mac(from);
    }

    public String dstMac() {
        return mac(to);
    }

    public String srcIp() {
        return ipv4(from);
    }

    public String dstIp() {
        return ipv4(to);
    }

    /** A short tag for marker names. */
    public String tag() {
        return from == Role.AP ? "ap" : "core";
    }

    public static String mac(Role host) {
        return switch (host) {
            case AP -> "02:77:00:00:00:10";
            case CORE -> "02:77:00:00:00:20";
            case BR -> throw new IllegalArgumentException("the bridge namespace has no host");
        };
    }

    public static String ipv4(Role host) {
        return switch (host) {
            case AP -> "10.77.0.10";
            case CORE -> "10.77.0.20";
            case BR -> throw new IllegalArgumentException("the bridge namespace has no host");
        };
    }

    public static Direction from(Role host) {
        return host == Role.AP ? AP_TO_CORE : CORE_TO_AP;
    }
}
