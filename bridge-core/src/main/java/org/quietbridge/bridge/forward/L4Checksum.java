package org.quietbridge.bridge.forward;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.quietbridge.frame.FrameView;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.Udp;

/**
 * Completes the TCP or UDP checksum of an IPv4 frame that the kernel handed over with
 * {@code TP_STATUS_CSUM_NOT_READY} (checksum offload: the sender left the field holding only
 * the pseudo-header sum). A frame forwarded as-is would fail its checksum at the receiver.
 * RFC 1071 arithmetic, RFC 768 / RFC 9293 pseudo header.
 */
public final class L4Checksum {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;

    private L4Checksum() {
    }

    /**
     * Recomputes the L4 checksum in {@code out}, a copy of the frame {@code view} decoded,
     * shifted by {@code shift} bytes (4 when a VLAN tag was inserted on the way out).
     *
     * @return true if the frame's checksum was completed; false when it is not IPv4 TCP/UDP
     *     with a whole L4 header (nothing was changed then)
     */
    public static boolean complete(FrameView view, MemorySegment out, int shift) {
        if (!view.ipv4() || view.fragment() || view.malformed()) {
            return false;
        }
        int protocol = view.ipProtocol();
        int checksumField;
        if (protocol == Ipv4.PROTOCOL_UDP) {
            checksumField = Udp.CHECKSUM_OFFSET;
        } else if (protocol == Ipv4.PROTOCOL_TCP) {
            checksumField = Udp.TCP_CHECKSUM_OFFSET;
        } else {
            return false;
        }
        int l4Length = view.ipv4TotalLength() - view.ipv4HeaderLength();
        if (l4Length < checksumField + 2) {
            return false;
        }
        long l4 = view.l4Offset() + shift;
        if (l4 + l4Length > out.byteSize()) {
            return false;
        }
        out.set(U16, l4 + checksumField, (short) 0);
        int src = view.ipv4Source();
        int dst = view.ipv4Destination();
        long sum = (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + protocol + l4Length;
        long i = l4;
        long end = l4 + l4Length;
        for (; i + 1 < end; i += 2) {
            sum += out.get(U16, i) & 0xFFFF;
        }
        if (i < end) {
            sum += (out.get(U8, i) & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        int checksum = (int) (~sum & 0xFFFF);
        if (protocol == Ipv4.PROTOCOL_UDP && checksum == 0) {
            checksum = 0xFFFF; // RFC 768: 0 means "no checksum"
        }
        out.set(U16, l4 + checksumField, (short) checksum);
        return true;
    }
}
