package org.quietbridge.lab;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Lab} is built.
 *
 * @param mtu            the MTU of all four veth ends; docs/ARCHITECTURE.md, kernel fact 6: both legs of the
 *                       bridge need the same MTU. 68 (the IPv4 minimum, RFC 791) to 65535 (veth's maximum)
 * @param hostOffloads   {@code true} (the default) leaves the veth defaults on the hosts' {@code eth0}:
 *                       TSO, GSO and TX checksum offload, as every VM and container has, so the bridge
 *                       gets super-frames and unfilled checksums; {@code false} turns them off, so that
 *                       the frames look as they do on a physical wire (docs/ARCHITECTURE.md, "Offloads")
 * @param commandTimeout the limit for each command the lab runs for itself or through
 *                       {@link Lab#exec(Role, String...)}
 * @param removeOnExit   {@code true} (the default) registers a JVM shutdown hook that removes the
 *                       lab if it was not closed; {@code false} for a lab meant to outlive the JVM
 *                       ({@code quietbridge lab up})
 */
public record LabOptions(int mtu, boolean hostOffloads, Duration commandTimeout, boolean removeOnExit) {
    public static final int DEFAULT_MTU = 1500;
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final int MIN_MTU = 68;
    private static final int MAX_VETH_MTU = 65535;

    public LabOptions {
        if (mtu < MIN_MTU || mtu > MAX_VETH_MTU) {
            throw new IllegalArgumentException("mtu " + mtu + " is outside " + MIN_MTU + ".." + MAX_VETH_MTU);
        }
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("commandTimeout must be positive: " + commandTimeout);
        }
    }

    /** MTU 1500, the hosts' default offloads on, 30 s per command, removed when the JVM exits. */
    public static LabOptions defaults() {
        return new LabOptions(DEFAULT_MTU, true, DEFAULT_COMMAND_TIMEOUT, true);
    }

    public LabOptions withMtu(int newMtu) {
        return new LabOptions(newMtu, hostOffloads, commandTimeout, removeOnExit);
    }

    public LabOptions withHostOffloads(boolean on) {
        return new LabOptions(mtu, on, commandTimeout, removeOnExit);
    }

    public LabOptions withCommandTimeout(Duration timeout) {
        return new LabOptions(mtu, hostOffloads, timeout, removeOnExit);
    }

    public LabOptions withRemoveOnExit(boolean remove) {
        return new LabOptions(mtu, hostOffloads, commandTimeout, remove);
    }
}
