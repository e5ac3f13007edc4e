package org.quietbridge.bridge.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every {@link PacketRingPortRootTest} again on TPACKET_V3 rings (block-based RX, frame-based
 * tpacket3_hdr TX) with a 1 ms block retire timeout, the smallest the kernel takes; plus what only V3
 * has: a burst that spans several blocks, the last one handed over by its timer while part empty.
 */
@Timeout(60)
class PacketRingPortV3RootTest extends PacketRingPortRootTest {

    @Override
    RingVersion version() {
        return RingVersion.V3;
    }

    @Override
    int blockTimeoutMillis() {
        return 1;
    }

    @Override
    int roundTripBatch() {
        return 256;
    }


    /**
     * A V2 RX ring holds exactly as many frames as the TX ring, whatever their size. A V3 RX ring holds
     * 40 frames of 1514 B per 64 KiB block (82 bytes of header and padding each), 5120 in all, but
     * every block the 1 ms timer retires part full wastes its rest: with the receiving thread
     * descheduled on a busy machine, 4096 such frames overran it (1 drop seen). Small frames (about 450
     * to a block) test the same full TX ring without testing V3's RX capacity for big ones.
     */
    @Override
    int fullRingFrameLength() {
        return 124;
    }

    @Test
    void walksEveryFrameOfManyBlocksInOrderAndHandsEachBlockBack() throws IOException {
        PacketRingPort port = open();
        lab.reflectInNamespace();
        port.collectRingStatistics();
        long dropsBefore = port.rxRingDrops();
        // 1000 B frames: about 120 to a 128 KiB block (the size that holds a super-frame), so 600 frames
        // fill five blocks and wrap nothing.
        int frames = 600;
        String tag = String.format("QBV3-%06x", ThreadLocalRandom.current().nextInt(1 << 24));
        byte[] frame = TestFrames.untagged(TestFrames.EXPERIMENTAL, tag, 1000);
        for (int i = 0; i < frames; i++) {
            frame[frame.length - 2] = (byte) (i >> 8);
            frame[frame.length - 1] = (byte) i;
            assertEquals(FramePort.TX_OK, port.transmit(MemorySegment.ofArray(frame), 0, frame.length, 0, 0));
            if (i % 100 == 99) {
                port.flush(); // the TX ring has 525 slots
            }
        }
        port.flush();
        RxFrame rx = new RxFrame();
        int next = 0;
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (next < frames && System.nanoTime() < deadline) {
            if (!port.receive(rx)) {
                port.awaitReadable(100);
                continue;
            }
            byte[] head = rx.segment().asSlice(rx.offset() + 14, tag.length()).toArray(ValueLayout.JAVA_BYTE);
            if (!new String(head, StandardCharsets.US_ASCII).equals(tag)) {
                port.release(); // the namespace's own frames (IPv6 neighbour discovery, ...)
                continue;
            }
            assertEquals(1000, rx.length());
            int seq = (Byte.toUnsignedInt(rx.segment().get(ValueLayout.JAVA_BYTE,
                    rx.offset() + 998)) << 8) | Byte.toUnsignedInt(rx.segment().get(
                    ValueLayout.JAVA_BYTE, rx.offset() + 999));
            assertEquals(next, seq, "frames in the order sent, none twice");
            next++;
            port.release();
        }
        assertEquals(frames, next);
        port.collectRingStatistics();
        assertEquals(dropsBefore, port.rxRingDrops());
        assertFalse(port.receive(rx), "nothing more");
    }
}
