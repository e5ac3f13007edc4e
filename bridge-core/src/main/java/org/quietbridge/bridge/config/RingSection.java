package org.quietbridge.bridge.config;

import java.util.List;
import java.util.Locale;

import org.quietbridge.bridge.port.OffloadMode;
import org.quietbridge.bridge.port.RingVersion;
import org.quietbridge.rules.ConfigNode;

/** The {@code ring:} section. */
final class RingSection {
    private RingSection() {
    }

    /** The {@code ring:} section; absent or null: {@link RingSettings#defaults()}. */
    static RingSettings read(ConfigNode ring) {
        RingSettings defaults = RingSettings.defaults();
        if (ring == null || ring.isNull()) {
            return defaults;
        }
        ring.expectMapping("'ring'");
        ring.checkKeys("in ring", List.of("frames", "version", "block_timeout", "offloads"));
        int frames = defaults.frames();
        ConfigNode framesNode = ring.get("frames");
        if (framesNode != null) {
            frames = framesNode.expectInt("ring.frames", 64, 1 << 18);
            if (Integer.bitCount(frames) != 1) {
                throw framesNode.error("ring.frames must be a power of two (64 to 262144): " + frames);
            }
        }
        RingVersion version = defaults.version();
        ConfigNode versionNode = ring.get("version");
        if (versionNode != null) {
            version = RingVersion.of(versionNode.expectInt("ring.version (TPACKET_V2 or V3)", 2, 3));
        }
        int blockTimeout = defaults.blockTimeout();
        ConfigNode timeout = ring.get("block_timeout");
        if (timeout != null) {
            blockTimeout = timeout.expectInt("ring.block_timeout (ms)", 0, RingSettings.MAX_BLOCK_TIMEOUT);
            if (version != RingVersion.V3) {
                throw timeout.error("ring.block_timeout applies to TPACKET_V3 only; add 'version: 3' to 'ring'"
                        + " or remove it");
            }
        }
        OffloadMode offloads = defaults.offloads();
        ConfigNode offloadsNode = ring.get("offloads");
        if (offloadsNode != null) {
            offloads = OffloadMode.valueOf(offloadsNode.expectWord("ring.offloads", List.of("auto", "off"))
                    .toUpperCase(Locale.ROOT));
        }
        return new RingSettings(frames, version, blockTimeout, offloads);
    }
}
