package org.quietbridge.bridge.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RingGeometryTest {

    @Test
    void defaultForMtu1500IsFourThousand2KiBFramesIn64KiBBlocks() {
        RingGeometry g = RingGeometry.forMtu(1500);
        assertEquals(new RingGeometry(2048, 4096, 65536), g);
        assertEquals(32, g.framesPerBlock());
        assertEquals(128, g.blockCount());
        assertEquals(8L << 20, g.ringBytes());
        assertEquals(2016, g.txCapacity());
    }

    @Test
    void frameSizeHoldsMtuPlusHeaderAndTwoTagsBehindTheRxHeadroom() {
        assertEquals(80, RingGeometry.RX_HEADROOM);
        assertEquals(1616, RingGeometry.requiredFrameSize(1500)); // align16(80 + 1500 + 14 + 8)
        for (int mtu : new int[] {68, 576, 1500, 1504, 4000, 9000, 9216}) {
            RingGeometry g = RingGeometry.forMtu(mtu);
            assertTrue(g.frameSize() >= RingGeometry.requiredFrameSize(mtu), g::toString);
            assertTrue(g.txCapacity() >= mtu + 18, g::toString);
            assertTrue(g.frameCount() >= RingGeometry.DEFAULT_FRAME_COUNT, g::toString);
        }
    }

    @Test
    void jumboFramesAreAlignedNotRoundedToAPowerOfTwo() {
        RingGeometry g = RingGeometry.forMtu(9000);
        assertEquals(9104, g.frameSize());
        assertEquals(65536, g.blockSize());
        assertEquals(7, g.framesPerBlock());
        assertEquals(0, g.frameCount() % 7);
    }

    @Test
    void slotsNeverStraddleBlocks() {
        RingGeometry g = new RingGeometry(9104, 14, 65536);
        assertEquals(6L * 9104, g.slotOffset(6));
        assertEquals(65536, g.slotOffset(7));
        assertEquals(65536 + 9104, g.slotOffset(8));
    }

    @Test
    void rejectsShapesTheKernelWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> new RingGeometry(2040, 4096, 65536)); // not 16-aligned
        assertThrows(IllegalArgumentException.class, () -> new RingGeometry(2048, 4096, 65000)); // not page-sized
        assertThrows(IllegalArgumentException.class, () -> new RingGeometry(2048, 100, 65536));  // partial block
        assertThrows(IllegalArgumentException.class, () -> new RingGeometry(8192, 8, 4096));     // frame > block
        assertThrows(IllegalArgumentException.class, () -> new RingGeometry(64, 64, 4096));      // below header
    }

    @Test
    void superFrameTxSlotsAreSeventeenPagesFifteenToAMegabyteBlock() {
        RingGeometry tx = RingGeometry.forMtu(1500).forTx(true, 512);
        assertEquals(17 * 4096, tx.frameSize());
        assertEquals(1 << 20, tx.blockSize());
        assertEquals(525, tx.frameCount(), "512 rounded up to whole blocks of 15");
        for (RingVersion v : RingVersion.values()) {
            assertTrue(tx.txCapacity(v) - 10 >= RingGeometry.MAX_SUPER_FRAME + 4,
                    "a 64 KiB super-frame, its re-inserted tag and the virtio-net header fit, " + v);
        }
        assertEquals(RingGeometry.forMtu(1500), RingGeometry.forMtu(1500).forTx(false, 512), "without headers: the RX shape");
    }

    @Test
    void v3RxBlocksGrowToHoldASuperFrameOnlyWithVirtioNetHeaders() {
        RingGeometry g = RingGeometry.forMtu(1500);
        assertEquals(g, g.forRx(RingVersion.V2, true), "V2 takes super-frames through the copy lane");
        assertEquals(g, g.forRx(RingVersion.V3, false));
        RingGeometry v3 = g.forRx(RingVersion.V3, true);
        assertEquals(128 * 1024, v3.blockSize());
        assertEquals(g.frameSize(), v3.frameSize());
        assertEquals(g.ringBytes(), v3.ringBytes(), "the same memory, in fewer, larger blocks");
    }

    @Test
    void virtioNetHeadersTakeTenBytesOfTheRxSlot() {
        assertEquals(1616, RingGeometry.requiredFrameSize(1510), "80 + 1510 + 14 + 2 x 4, aligned to 16");
        assertEquals(1632, RingGeometry.requiredFrameSize(1510, true), "10 bytes more");
    }
}
