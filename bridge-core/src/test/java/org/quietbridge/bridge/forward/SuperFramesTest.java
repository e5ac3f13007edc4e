package org.quietbridge.bridge.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.quietbridge.bridge.port.Offload;
import org.quietbridge.bridge.sys.VirtioNetHdr;
import org.quietbridge.frame.FrameView;
import org.quietbridge.frame.testing.FrameBuilder;

/** The segment arithmetic of GSO super-frames. */
class SuperFramesTest {
    private static final Offload TSO = new Offload().set(VirtioNetHdr.VIRTIO_NET_HDR_F_NEEDS_CSUM,
            VirtioNetHdr.VIRTIO_NET_HDR_GSO_TCPV4, 1448, 9999, 34, 16);

    @Test
    void segmentsAreThePayloadCutToGsoSizeRoundedUp() {
        assertEquals(10, SuperFrames.segments(66 + 10 * 1448, 66, 1448));
        assertEquals(11, SuperFrames.segments(66 + 10 * 1448 + 1, 66, 1448));
        assertEquals(1, SuperFrames.segments(66 + 100, 66, 1448), "smaller than one segment");
        assertEquals(1, SuperFrames.segments(66, 66, 1448), "headers only");
        assertEquals(1, SuperFrames.segments(5000, 0, 1448), "unknown headers: counted as one");
    }

    @Test
    void wireBytesRepeatTheHeadersAndTheStrippedTagPerSegment() {
        assertEquals(66 + 10 * 1448 + 9 * 66, SuperFrames.wireBytes(66 + 10 * 1448, 10, 66, 0));
        assertEquals(66 + 10 * 1448 + 9 * 66 + 10 * 4, SuperFrames.wireBytes(66 + 10 * 1448, 10, 66, 4));
        assertEquals(60, SuperFrames.wireBytes(60, 1, 0, 0), "a plain frame is itself");
    }

    @Test
    void theSegmentPayloadIsWhatTheMtuBounds() {
        assertEquals(1500, SuperFrames.segmentPayload(66, 1448, 0), "IPv4 + TCP with timestamps + 1448 = 1500");
        assertEquals(1500, SuperFrames.segmentPayload(70, 1448, 4), "an in-frame tag is not payload");
    }

    @Test
    void tcpHeadersComeFromTheChecksumStartAndTheDataOffset() {
        byte[] frame = FrameBuilder.ethernet().tcp("10.0.0.1", "10.0.0.2", 1, 2).payload(3000).build();
        FrameView f = new FrameView().wrap(java.lang.foreign.MemorySegment.ofArray(frame), 0, frame.length);
        assertEquals(54, SuperFrames.headerLength(f, TSO));
        frame[14 + 20 + 12] = (byte) 0x80; // data offset 8: 32 bytes
        assertEquals(66, SuperFrames.headerLength(f, TSO));
        frame[14 + 20 + 12] = (byte) 0x40; // data offset 4: impossible
        assertEquals(0, SuperFrames.headerLength(f, TSO));
    }

    @Test
    void withoutAPartialChecksumTheDecodedIpv4HeaderSaysWhereTcpStarts() {
        byte[] frame = FrameBuilder.ethernet().vlan(0x8100, 5).tcp("10.0.0.1", "10.0.0.2", 1, 2).payload(3000).build();
        FrameView f = new FrameView().wrap(java.lang.foreign.MemorySegment.ofArray(frame), 0, frame.length);
        Offload gro = new Offload().set(VirtioNetHdr.VIRTIO_NET_HDR_F_DATA_VALID, VirtioNetHdr.VIRTIO_NET_HDR_GSO_TCPV4,
                1448, 0, 0, 0);
        assertEquals(18 + 20 + 20, SuperFrames.headerLength(f, gro));
    }

    @Test
    void udpSegmentsRepeatEightBytesOfUdpHeader() {
        byte[] frame = FrameBuilder.ethernet().udp("10.0.0.1", "10.0.0.2", 1, 2).payload(8000).build();
        FrameView f = new FrameView().wrap(java.lang.foreign.MemorySegment.ofArray(frame), 0, frame.length);
        Offload uso = new Offload().set(VirtioNetHdr.VIRTIO_NET_HDR_F_NEEDS_CSUM,
                VirtioNetHdr.VIRTIO_NET_HDR_GSO_UDP_L4, 1000, 42, 34, 6);
        assertEquals(42, SuperFrames.headerLength(f, uso));
        assertEquals(8, SuperFrames.segments(frame.length, 42, 1000));
    }
}
