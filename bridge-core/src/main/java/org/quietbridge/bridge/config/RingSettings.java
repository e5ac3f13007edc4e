package org.quietbridge.bridge.config;

import java.util.Objects;

import org.quietbridge.bridge.port.OffloadMode;
import org.quietbridge.bridge.port.PacketRingPort;
import org.quietbridge.bridge.port.RingVersion;

/**
 * The {@code ring:} section: how each port's rings are built. Changing it needs a restart.
 *
 * @param frames       RX slots per port (a power of two); the TX ring has as many, or up to 512 super-frame slots
 * @param version      TPACKET version
 * @param blockTimeout V3 RX block retire timeout in ms; {@link PacketRingPort#KERNEL_BLOCK_TIMEOUT} (0) for the
 *                     kernel's choice
 * @param offloads     whether the rings carry virtio-net headers (super-frames, partial checksums)
 */
public record RingSettings(int frames, RingVersion version, int blockTimeout, OffloadMode offloads) {
    public static final int DEFAULT_FRAMES = 4096;
    /** TPACKET_V2: measured against V3 on the lab (bench/README.md, "TPACKET_V2 or V3"). */
    public static final RingVersion DEFAULT_VERSION = RingVersion.V2;
    /** The largest V3 block timeout accepted, in ms: beyond a second a bridge is not a bridge. */
    public static final int MAX_BLOCK_TIMEOUT = 1000;

    public RingSettings {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(offloads, "offloads");
    }

    public static RingSettings defaults() {
        return new RingSettings(DEFAULT_FRAMES, DEFAULT_VERSION, PacketRingPort.KERNEL_BLOCK_TIMEOUT, OffloadMode.AUTO);
    }

    /** As the configuration would write it, for messages: {@code frames 4096, version 2, offloads auto}. */
    public String describe() {
        return "frames " + frames + ", version " + version.number()
                + (version == RingVersion.V3 ? ", block_timeout " + blockTimeout : "") + ", offloads " + offloads.word();
    }
}
