package org.quietbridge.bridge.forward;

import java.lang.foreign.ValueLayout;

import org.quietbridge.bridge.port.Offload;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.FrameView;

/**
 * The arithmetic of a GSO super-frame: the wire frames it stands for. Every segment repeats the
 * super-frame's headers (L2 to L4) and carries up to gso_size bytes of its payload, so a super-frame of
 * {@code length} bytes with {@code h} bytes of headers is {@code ceil((length - h) / gso_size)} segments
 * and {@code length + (segments - 1) * h} bytes on the wire (net/ipv4/tcp_offload.c tcp_gso_segment, net/ipv4/udp_offload.c
 * __udp_gso_segment). Counters count those, so that they agree with the hosts' interface counters.
 */
final class SuperFrames {
    /** IPv6's fixed header (RFC 8200); extension headers are not walked, see {@link #headerLength}. */
    private static final int IPV6_HEADER_LENGTH = 40;
    private static final int UDP_HEADER_LENGTH = 8;
    private static final int TCP_DATA_OFFSET = 12;

    private SuperFrames() {
    }

    /**
     * Bytes of headers each segment of the super-frame repeats, from the frame's first byte (as the
     * port presents it: without the stripped tag): where the L4 header starts (the partial checksum's start,
     * which the kernel sets to it for every GSO frame it builds; else the decoded IPv4 header's end, or a
     * fixed IPv6 header's) plus the TCP header's data offset or UDP's 8 bytes. 0 when that cannot be
     * read from the frame; the frame then counts as one.
     */
    static int headerLength(FrameView f, Offload offload) {
        int l4;
        if (offload.needsChecksum()) {
            l4 = offload.checksumStart();
        } else if (f.ipv4()) {
            l4 = f.l4Offset();
        } else if (f.ipv6()) {
            l4 = f.l3Offset() + IPV6_HEADER_LENGTH;
        } else {
            return 0;
        }
        if (offload.tcpSegments()) {
            if (l4 + TCP_DATA_OFFSET >= f.length()) {
                return 0;
            }
            int dataOffset = (Byte.toUnsignedInt(f.segment().get(ValueLayout.JAVA_BYTE, f.offset() + l4 + TCP_DATA_OFFSET))
                    >>> 4) * 4;
            return dataOffset < 20 || l4 + dataOffset > f.length() ? 0 : l4 + dataOffset;
        }
        if (offload.udpSegments()) {
            return l4 + UDP_HEADER_LENGTH > f.length() ? 0 : l4 + UDP_HEADER_LENGTH;
        }
        // UFO (VIRTIO_NET_HDR_GSO_UDP): IPv4 fragments, each repeating the headers up to the L4 header.
        return l4 > f.length() ? 0 : l4;
    }

    /** Wire frames a super-frame of {@code length} bytes stands for; 1 when {@code headerLength} is 0. */
    static int segments(int length, int headerLength, int gsoSize) {
        if (headerLength <= 0 || gsoSize <= 0 || length <= headerLength) {
            return 1;
        }
        return (length - headerLength + gsoSize - 1) / gsoSize;
    }

    /**
     * Bytes those segments put on the wire: {@code length} plus the headers repeated by every segment after
     * the first, plus {@code tagBytes} per segment (the outer tag the kernel stripped, which each segment
     * carries on the wire).
     */
    static long wireBytes(int length, int segments, int headerLength, int tagBytes) {
        return length + (long) (segments - 1) * headerLength + (long) segments * tagBytes;
    }

    /** Payload bytes of the largest segment after its MAC header and in-frame tags: what the MTU bounds. */
    static int segmentPayload(int headerLength, int gsoSize, int inFrameTagBytes) {
        return headerLength + gsoSize - Ethernet.HEADER_LENGTH - inFrameTagBytes;
    }
}
