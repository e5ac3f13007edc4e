package org.quietbridge.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.capture.testing.PcapngBuilder;
import org.quietbridge.frame.testing.FrameBuilder;

/**
 * Reading a capture allocates nothing per frame once the buffers have grown (STYLE.md rule 2).
 *
 * <p>The bound is {@link #SLACK} bytes over 180,000 frames, not 0: when C2 deoptimizes a method
 * it re-materializes scalar-replaced objects on this thread's heap, a few dozen bytes at odd
 * times. One allocation per frame would cost at least 16 bytes x 180,000.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CaptureAllocationTest {
    private static final int FRAMES = 200_000;
    private static final int WARM_UP = 20_000;
    private static final long SLACK = 1024;
    private static final byte[] FRAME =
            FrameBuilder.ethernet().broadcast().udp("10.0.0.5", "10.0.0.255", 137, 137).payload(50).build();

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Reads every frame and returns the bytes this thread allocated after the warm-up. */
    private static long allocatedWhileReading(byte[] file) throws IOException {
        try (CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(file), "mem")) {
            long sum = 0;
            for (int i = 0; i < WARM_UP; i++) {
                reader.next();
                sum += reader.capturedLength();
            }
            // What measuring itself costs, so that only the loop is counted.
            long probe = allocatedBytes();
            long cost = allocatedBytes() - probe;
            long before = allocatedBytes();
            while (reader.next()) {
                sum += reader.capturedLength() + reader.timestampNanos();
            }
            long allocated = allocatedBytes() - before - cost;
            assertEquals(FRAMES, reader.frames());
            return sum == 42 ? Long.MAX_VALUE : allocated;
        }
    }

    @Test
    void readsClassicPcapWithoutAllocatingPerFrame() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(out, ByteOrder.BIG_ENDIAN, true, 65535)) {
            for (int i = 0; i < FRAMES; i++) {
                writer.write(FRAME, i);
            }
        }
        long allocated = allocatedWhileReading(out.toByteArray());
        assertTrue(allocated < SLACK, allocated + " bytes allocated");
    }

    @Test
    void readsPcapngWithoutAllocatingPerFrame() throws IOException {
        PcapngBuilder b = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN)
                .interfaceDescription(1, 0, PcapngBuilder.options(new PcapngBuilder().option(9, new byte[] {9})))
                .interfaceDescription(1, 0);
        for (int i = 0; i < FRAMES; i++) {
            b.enhancedPacket(i & 1, i, FRAME);
        }
        long allocated = allocatedWhileReading(b.bytes());
        assertTrue(allocated < SLACK, allocated + " bytes allocated");
    }
}
