package org.quietbridge.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quietbridge.frame.testing.FrameBuilder;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PcapRoundTripTest {
    private static final long T0 = 1_700_000_000_123_456_789L;

    private static List<byte[]> frames() {
        List<byte[]> frames = new ArrayList<>();
        frames.add(FrameBuilder.ethernet().broadcast().udp("10.0.0.5", "10.0.0.255", 137, 137).payload(50).build());
        frames.add(FrameBuilder.ethernet().broadcast().arp(1, 0x0200_0000_0005L, "10.0.0.5", 0, "10.0.0.1").build());
        frames.add(new byte[0]);
        frames.add(FrameBuilder.ethernet().dst("02:00:00:00:00:09").tcp("10.0.0.5", "10.0.0.9", 4000, 445)
                .payload(1400).build());
        frames.add(new byte[] {1, 2, 3});
        return frames;
    }

    private static byte[] write(ByteOrder order, boolean nanosecond, int snapLength, List<byte[]> frames)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(out, order, nanosecond, snapLength)) {
            for (int i = 0; i < frames.size(); i++) {
                writer.write(frames.get(i), T0 + i * 1_000_000_007L);
            }
        }
        return out.toByteArray();
    }

    private static byte[] frameBytes(CaptureReader reader) {
        return reader.frame().asSlice(0, reader.capturedLength()).toArray(ValueLayout.JAVA_BYTE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"BIG_ENDIAN", "LITTLE_ENDIAN"})
    void readsBackEveryFrameWithLengthsAndMicrosecondTimestamps(String orderName) throws IOException {
        ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        List<byte[]> frames = frames();
        byte[] file = write(order, false, PcapWriter.DEFAULT_SNAP_LENGTH, frames);
        try (CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(file), "t.pcap")) {
            assertEquals(CaptureReader.Format.PCAP, reader.format());
            for (int i = 0; i < frames.size(); i++) {
                assertTrue(reader.next(), "frame " + i);
                assertArrayEquals(frames.get(i), frameBytes(reader), "frame " + i);
                assertEquals(frames.get(i).length, reader.originalLength());
                assertEquals(0, reader.interfaceId());
                long expected = T0 + i * 1_000_000_007L;
                assertEquals(expected - expected % 1_000, reader.timestampNanos(), "frame " + i);
            }
            assertFalse(reader.next());
            assertFalse(reader.next(), "end stays the end");
            assertEquals(frames.size(), reader.frames());
        }
    }

    @Test
    void writesTheMagicInTheChosenByteOrder() throws IOException {
        byte[] big = write(ByteOrder.BIG_ENDIAN, false, 65535, List.of());
        byte[] little = write(ByteOrder.LITTLE_ENDIAN, true, 65535, List.of());
        assertArrayEquals(new byte[] {(byte) 0xA1, (byte) 0xB2, (byte) 0xC3, (byte) 0xD4, 0, 2, 0, 4},
                java.util.Arrays.copyOf(big, 8));
        assertArrayEquals(new byte[] {0x4D, 0x3C, (byte) 0xB2, (byte) 0xA1, 2, 0, 4, 0},
                java.util.Arrays.copyOf(little, 8));
        assertEquals(24, big.length);
        assertEquals(1, big[23], "link type 1, big-endian");
        assertEquals(1, little[20], "link type 1, little-endian");
    }

    @ParameterizedTest
    @ValueSource(strings = {"BIG_ENDIAN", "LITTLE_ENDIAN"})
    void keepsNanosecondTimestampsWithTheNanosecondMagic(String orderName) throws IOException {
        ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        byte[] file = write(order, true, 65535, frames());
        try (CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(file), "t.pcap")) {
            assertTrue(reader.next());
            assertEquals(T0, reader.timestampNanos());
            assertTrue(reader.next());
            assertEquals(T0 + 1_000_000_007L, reader.timestampNanos());
        }
    }

    @Test
    void cutsFramesToTheSnapLengthAndKeepsTheOriginalLength() throws IOException {
        byte[] big = frames().get(3);
        byte[] file = write(ByteOrder.LITTLE_ENDIAN, false, 96, List.of(big));
        try (CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(file), "t.pcap")) {
            assertTrue(reader.next());
            assertEquals(96, reader.capturedLength());
            assertEquals(big.length, reader.originalLength());
            assertArrayEquals(java.util.Arrays.copyOf(big, 96), frameBytes(reader));
        }
    }

    @Test
    void writesASegmentSliceAndReadsAFileFromDisk(@TempDir Path dir) throws IOException {
        byte[] frame = frames().get(0);
        byte[] padded = new byte[frame.length + 10];
        System.arraycopy(frame, 0, padded, 7, frame.length);
        Path file = dir.resolve("slice.pcap");
        try (PcapWriter writer = PcapWriter.create(file)) {
            writer.write(MemorySegment.ofArray(padded), 7, frame.length, 0);
            assertEquals(1, writer.frames());
        }
        try (CaptureReader reader = CaptureReader.open(file)) {
            assertTrue(reader.next());
            assertArrayEquals(frame, frameBytes(reader));
            assertEquals(0, reader.timestampNanos());
            assertFalse(reader.next());
        }
        assertEquals(24 + 16 + frame.length, Files.size(file));
    }

    @Test
    void reusesOneBufferForFramesOfTheSameSize() throws IOException {
        List<byte[]> same = List.of(frames().get(0), frames().get(0), frames().get(0));
        byte[] file = write(ByteOrder.LITTLE_ENDIAN, false, 65535, same);
        try (CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(file), "t.pcap")) {
            assertTrue(reader.next());
            MemorySegment first = reader.frame();
            assertTrue(reader.next());
            assertSame(first, reader.frame());
        }
    }
}
