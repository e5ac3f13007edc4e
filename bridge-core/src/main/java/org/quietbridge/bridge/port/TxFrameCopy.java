package org.quietbridge.bridge.port;

import static org.quietbridge.bridge.sys.LinuxConstants.ETH_HLEN;
import static org.quietbridge.bridge.sys.LinuxConstants.ETH_P_8021Q;
import static org.quietbridge.bridge.sys.LinuxConstants.VLAN_HLEN;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The TX size rules and the copy that re-inserts a stripped VLAN tag; shared by every port, and by the
 * dropped-frames capture, which shows a frame as it was on the wire.
 */
public final class TxFrameCopy {
    /** Destination and source MAC: the tag goes right after them (IEEE 802.1Q clause 9). */
    static final int MAC_ADDRESSES_LENGTH = 12;
    static final ValueLayout.OfShort NETWORK_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private TxFrameCopy() {
    }

    /**
     * Whether the kernel will send the frame: TX_OK, TX_TOO_SHORT or TX_TOO_BIG. net/packet/af_packet.c
     * tpacket_snd caps a frame at {@code mtu + hard_header_len + VLAN_HLEN} and allows more than
     * {@code mtu + hard_header_len} only when the outermost EtherType is 0x8100
     * (packet_extra_vlan_len_allowed); a frame it refuses would be dropped silently (PACKET_LOSS), so
     * it is refused here, where the caller can count it. A super-frame that leaves with a virtio-net header
     * ({@code segmented}) is held to {@code maxFrameLength} only: the kernel cuts it to segments, and the
     * caller has held those to the MTU.
     */
    static int verdict(MemorySegment src, long offset, int length, int tpid, int maxFrameLength, int mtu,
                       boolean segmented) {
        if (length < ETH_HLEN) {
            return FramePort.TX_TOO_SHORT;
        }
        int total = tpid != 0 ? length + VLAN_HLEN : length;
        if (total > maxFrameLength) {
            return FramePort.TX_TOO_BIG;
        }
        if (!segmented && total > mtu + ETH_HLEN) {
            int outerType = tpid != 0 ? tpid : Short.toUnsignedInt(src.get(NETWORK_SHORT, offset + MAC_ADDRESSES_LENGTH));
            if (outerType != ETH_P_8021Q) {
                return FramePort.TX_TOO_BIG;
            }
        }
        return FramePort.TX_OK;
    }

    /** Copies the frame to {@code dst[dstOffset]}, inserting the tag when {@code tpid != 0}; returns the bytes written. */
    static int copy(MemorySegment src, long offset, int length, int tpid, int tci, MemorySegment dst, long dstOffset) {
        return copyPrefix(src, offset, length, tpid, tci, dst, dstOffset, Integer.MAX_VALUE);
    }

    /**
     * Like {@link #copy}, but writes at most {@code max} bytes (at least an Ethernet header and a tag) of the
     * frame with its tag, as a capture's snap length cuts it; a frame too short to hold MAC addresses is
     * copied untagged. Returns the bytes written.
     */
    public static int copyPrefix(MemorySegment src, long offset, int length, int tpid, int tci, MemorySegment dst,
            long dstOffset, int max) {
        if (tpid == 0 || length < MAC_ADDRESSES_LENGTH) {
            int keep = Math.min(length, max);
            MemorySegment.copy(src, offset, dst, dstOffset, keep);
            return keep;
        }
        int keep = Math.min(length + VLAN_HLEN, max);
        MemorySegment.copy(src, offset, dst, dstOffset, MAC_ADDRESSES_LENGTH);
        dst.set(NETWORK_SHORT, dstOffset + MAC_ADDRESSES_LENGTH, (short) tpid);
        dst.set(NETWORK_SHORT, dstOffset + MAC_ADDRESSES_LENGTH + 2, (short) tci);
        MemorySegment.copy(src, offset + MAC_ADDRESSES_LENGTH, dst, dstOffset + MAC_ADDRESSES_LENGTH + VLAN_HLEN,
                keep - MAC_ADDRESSES_LENGTH - VLAN_HLEN);
        return keep;
    }
}
