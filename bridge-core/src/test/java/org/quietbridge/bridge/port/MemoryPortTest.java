package org.quietbridge.bridge.port;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quietbridge.bridge.port.FramePort.TX_OK;
import static org.quietbridge.bridge.port.FramePort.TX_RING_FULL;
import static org.quietbridge.bridge.port.TestFrames.EXPERIMENTAL;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MemoryPortTest {
    private final MemoryPort port = new MemoryPort("mem0", 1500, 4, 4);
    private final RxFrame rx = new RxFrame();

    @AfterEach
    void close() {
        port.close();
    }

    private static byte[] bytes(RxFrame rx) {
        return rx.segment().asSlice(rx.offset(), rx.length()).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void receivesInjectedFramesInOrderAtANonZeroOffsetInTheSlot() {
        byte[] first = TestFrames.untagged(EXPERIMENTAL, "first", 60);
        byte[] second = TestFrames.untagged(EXPERIMENTAL, "second", 1514);
        assertTrue(port.inject(first));
        assertTrue(port.inject(second));

        assertTrue(port.receive(rx));
        assertEquals(MemoryPort.RX_FRAME_OFFSET, rx.offset());
        assertTrue(rx.offset() > 0);
        assertArrayEquals(first, bytes(rx));
        assertEquals(60, rx.wireLength());
        assertEquals(0, rx.vlanTpid());
        port.release();

        assertTrue(port.receive(rx));
        assertArrayEquals(second, bytes(rx));
        port.release();
        assertFalse(port.receive(rx));
    }

    @Test
    void reportsTheStrippedTagAndTellsVid0ApartFromNoTag() {
        byte[] frame = TestFrames.untagged(EXPERIMENTAL, "vid0", 60);
        port.inject(frame, 0x8100, 0);
        port.inject(frame);
        port.inject(frame, 0x88A8, (6 << 13) | 300);

        assertTrue(port.receive(rx));
        assertEquals(0x8100, rx.vlanTpid());
        assertEquals(0, rx.vlanTci());
        assertTrue(port.receive(rx));
        assertEquals(0, rx.vlanTpid());
        assertTrue(port.receive(rx));
        assertEquals(0x88A8, rx.vlanTpid());
        assertEquals(300, rx.vlanId());
        assertEquals((6 << 13) | 300, rx.vlanTci());
    }

    @Test
    void receiveWhileHoldingAFrameReleasesItFirst() {
        port.inject(TestFrames.untagged(EXPERIMENTAL, "a", 60));
        port.inject(TestFrames.untagged(EXPERIMENTAL, "b", 61));
        assertTrue(port.receive(rx));
        assertEquals(60, rx.length());
        assertTrue(port.receive(rx));
        assertEquals(61, rx.length());
        assertEquals(1, port.rxQueued());
        port.release();
        port.release(); // nothing held: no-op
        assertEquals(0, port.rxQueued());
    }

    @Test
    void injectReportsAFullRxQueueAsADrop() {
        byte[] frame = TestFrames.untagged(EXPERIMENTAL, "x", 60);
        for (int i = 0; i < 4; i++) {
            assertTrue(port.inject(frame));
        }
        assertFalse(port.inject(frame));
        assertTrue(port.awaitReadable(0));
    }

    @Test
    void marksTruncatedAndChecksumNotReadyFrames() {
        byte[] frame = TestFrames.untagged(0x0800, "gro", 100);
        port.inject(MemorySegment.ofArray(frame), 0, 100, 3000, 0, 0, true);
        assertTrue(port.receive(rx));
        assertTrue(rx.truncated());
        assertTrue(rx.csumNotReady());
        assertEquals(3000, rx.wireLength());
        port.inject(frame);
        assertTrue(port.receive(rx));
        assertFalse(rx.truncated());
        assertFalse(rx.csumNotReady());
    }

    @Test
    void transmittedFramesBecomeVisibleOnlyAtFlush() {
        byte[] frame = TestFrames.untagged(EXPERIMENTAL, "tx", 60);
        assertEquals(TX_OK, port.transmit(MemorySegment.ofArray(frame), 0, 60, 0, 0));
        assertEquals(TX_OK, port.transmit(MemorySegment.ofArray(frame), 0, 60, 0x8100, 5));
        assertEquals(List.of(), port.takeTransmitted());
        assertEquals(2, port.txPending());
        port.flush();
        List<byte[]> sent = port.takeTransmitted();
        assertEquals(2, sent.size());
        assertEquals(60, sent.get(0).length);
        assertEquals(64, sent.get(1).length);
        assertEquals(1, port.kicks());
        port.flush();
        assertEquals(1, port.kicks(), "an empty flush sends nothing");
    }

    @Test
    void reportsTheTxRingFullUntilFlushFreesSlots() {
        byte[] frame = TestFrames.untagged(EXPERIMENTAL, "full", 60);
        MemorySegment src = MemorySegment.ofArray(frame);
        for (int i = 0; i < 4; i++) {
            assertEquals(4 - i, port.txFree());
            assertEquals(TX_OK, port.transmit(src, 0, 60, 0, 0));
        }
        assertEquals(0, port.txFree());
        assertEquals(TX_RING_FULL, port.transmit(src, 0, 60, 0, 0));
        port.flush();
        assertEquals(4, port.txFree());
        assertEquals(4, port.takeTransmitted().size());
    }

    @Test
    void lastTxFrameCanBePatchedBeforeFlush() {
        byte[] frame = TestFrames.untagged(0x0800, "patch", 60);
        port.transmit(MemorySegment.ofArray(frame), 0, 60, 0x8100, 1);
        MemorySegment last = port.lastTxFrame();
        assertEquals((byte) 0x81, last.get(ValueLayout.JAVA_BYTE, 12));
        last.set(ValueLayout.JAVA_BYTE, 63, (byte) 0x7F);
        port.flush();
        assertEquals((byte) 0x7F, port.takeTransmitted().get(0)[63]);
    }

    @Test
    void closeIsIdempotentAndTheDataPathFailsAfterIt() {
        port.close();
        port.close();
        assertThrows(IllegalStateException.class, () -> port.receive(rx));
        assertThrows(IllegalStateException.class,
                () -> port.transmit(MemorySegment.ofArray(new byte[60]), 0, 60, 0, 0));
    }

    @Test
    @Timeout(60)
    void theSteadyStateAllocatesNothingOverAMillionFrames() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (MemoryPort in = new MemoryPort("in", 1500, 64, 64); MemoryPort out = new MemoryPort("out", 1500, 64, 64)) {
            out.retainTransmitted(false);
            MemorySegment source = MemorySegment.ofArray(TestFrames.untagged(EXPERIMENTAL, "alloc", 128));
            RxFrame frame = new RxFrame();
            for (int round = 0; round < 5; round++) {
                forward(in, out, source, frame, 200_000); // warm up: interpreter, C1, C2
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            forward(in, out, source, frame, 1_000_000);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(0, allocated, "bytes allocated by 1M inject/receive/transmit/release/flush");
            assertEquals(2_000_000, out.transmittedFrames());
        }
    }

    private static void forward(MemoryPort in, MemoryPort out, MemorySegment source, RxFrame frame, int frames) {
        for (int i = 0; i < frames; i++) {
            in.inject(source, 0, 128, 128, (i & 1) == 0 ? 0 : 0x8100, i & 0xFFF, false);
            if (in.receive(frame)) {
                out.transmit(frame.segment(), frame.offset(), frame.length(), frame.vlanTpid(), frame.vlanTci());
                in.release();
            }
            if ((i & 31) == 31) {
                out.flush();
            }
        }
        out.flush();
    }
}
