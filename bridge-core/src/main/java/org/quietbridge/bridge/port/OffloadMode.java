package org.quietbridge.bridge.port;

/** Whether a {@link PacketRingPort} carries the kernel's offloads through virtio-net headers ({@code ring.offloads}). */
public enum OffloadMode {
    /**
     * Virtio-net headers where the kernel has them (the default): super-frames and partial checksums are
     * forwarded as they are, and segmented and checksummed on egress. Where it has not, as {@link #OFF},
     * and the port says why.
     */
    AUTO("auto"),
    /**
     * No virtio-net headers: GRO and LRO are turned off on the port, partial IPv4 checksums are completed
     * in software, and a super-frame that still arrives is dropped as truncated.
     */
    OFF("off");

    private final String word;

    OffloadMode(String word) {
        this.word = word;
    }

    /** The configuration's word for it. */
    public String word() {
        return word;
    }
}
