package org.quietbridge.bridge.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;
import org.quietbridge.bridge.sys.VirtioNetHdr;

/** Reading and writing the virtio-net header a packet socket puts before each frame. */
class OffloadTest {
    private static final ValueLayout.OfShort NATIVE_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    @Test
    void readsEveryFieldOfAHeaderAtAnyOffset() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(32);
            long at = 3; // unaligned, as before a frame in a ring slot
            m.set(ValueLayout.JAVA_BYTE, at, (byte) 1);
            m.set(ValueLayout.JAVA_BYTE, at + 1, (byte) 0x81); // TCPV4 | ECN
            m.set(NATIVE_SHORT, at + 2, (short) 66);
            m.set(NATIVE_SHORT, at + 4, (short) 1448);
            m.set(NATIVE_SHORT, at + 6, (short) 34);
            m.set(NATIVE_SHORT, at + 8, (short) 16);
            Offload o = new Offload().readFrom(m, at);
            assertTrue(o.gso());
            assertTrue(o.tcpSegments());
            assertFalse(o.udpSegments());
            assertTrue(o.needsChecksum());
            assertEquals(0x81, o.gsoType());
            assertEquals(66, o.headerLength());
            assertEquals(1448, o.gsoSize());
            assertEquals(34, o.checksumStart());
            assertEquals(16, o.checksumOffset());
        }
    }

    @Test
    void writesAHeaderShiftedByAnInsertedTag() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(VirtioNetHdr.SIZE);
            Offload tso = new Offload().set(VirtioNetHdr.VIRTIO_NET_HDR_F_NEEDS_CSUM | VirtioNetHdr.VIRTIO_NET_HDR_F_DATA_VALID,
                    VirtioNetHdr.VIRTIO_NET_HDR_GSO_TCPV4, 1448, 66, 34, 16);
            tso.writeTo(m, 0, 4, 20_000);
            Offload back = new Offload().readFrom(m, 0);
            assertEquals(VirtioNetHdr.VIRTIO_NET_HDR_F_NEEDS_CSUM, back.flags(), "DATA_VALID is RX-only");
            assertEquals(70, back.headerLength());
            assertEquals(38, back.checksumStart());
            assertEquals(16, back.checksumOffset());
            assertEquals(1448, back.gsoSize());
        }
    }

    @Test
    void aFrameThatIsNotCutIsCopiedWhole() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(VirtioNetHdr.SIZE);
            new Offload().set(VirtioNetHdr.VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 42, 34, 6).writeTo(m, 0, 0, 1514);
            Offload back = new Offload().readFrom(m, 0);
            assertFalse(back.gso());
            assertEquals(1514, back.headerLength(), "a frame that is not cut is copied whole");
            new Offload().set(0, VirtioNetHdr.VIRTIO_NET_HDR_GSO_TCPV4, 1448, 200, 0, 0).writeTo(m, 0, 0, 100);
            assertEquals(100, new Offload().readFrom(m, 0).headerLength(), "never more than the frame");
            Offload.NONE.writeTo(m, 0, 4, 64);
            Offload none = new Offload().readFrom(m, 0);
            assertFalse(none.gso() || none.needsChecksum());
            assertEquals(64, none.headerLength());
        }
    }

    @Test
    void noneCannotChange() {
        assertThrows(UnsupportedOperationException.class, () -> Offload.NONE.set(1, 0, 0, 0, 0, 0));
        assertThrows(UnsupportedOperationException.class, Offload.NONE::clear);
    }
}
