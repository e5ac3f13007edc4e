package org.quietbridge.bridge.port;

import org.quietbridge.bridge.sys.LinuxConstants;
import org.quietbridge.bridge.sys.Tpacket2Hdr;
import org.quietbridge.bridge.sys.Tpacket3Hdr;

/**
 * Which TPACKET version a {@link PacketRingPort} runs (docs/ARCHITECTURE.md, kernel fact 4: ring version is
 * a latency choice). Both keep RX and TX rings in one socket and one mapping; they differ in how RX
 * frames reach user space.
 */
public enum RingVersion {
    /**
     * Per-frame hand-over: each RX slot is user space's as soon as the kernel wrote it. The default:
     * no timer stands between a frame and the bridge.
     */
    V2(LinuxConstants.TPACKET_V2, Tpacket2Hdr.TX_DATA_OFFSET),
    /**
     * Block-based RX: frames are packed into a block, and the whole block is handed over when it is
     * full or when its retire timer (tp_retire_blk_tov, 1 ms or more) fires. TX stays frame-based
     * (tpacket3_hdr slots, Linux 4.11 and later).
     */
    V3(LinuxConstants.TPACKET_V3, Tpacket3Hdr.TX_DATA_OFFSET);

    private final int tpacketVersion;
    private final int txDataOffset;

    RingVersion(int tpacketVersion, int txDataOffset) {
        this.tpacketVersion = tpacketVersion;
        this.txDataOffset = txDataOffset;
    }

    /** The version for the number operators write (2 or 3). */
    public static RingVersion of(int number) {
        return switch (number) {
            case 2 -> V2;
            case 3 -> V3;
            default -> throw new IllegalArgumentException("TPACKET version " + number + ": use 2 or 3");
        };
    }

    /** 2 or 3. */
    public int number() {
        return this == V2 ? 2 : 3;
    }

    /** The PACKET_VERSION value (enum tpacket_versions). */
    int tpacketVersion() {
        return tpacketVersion;
    }

    /** Where a TX slot's frame starts (tp_hdrlen - sizeof(struct sockaddr_ll)). */
    public int txDataOffset() {
        return txDataOffset;
    }
}
