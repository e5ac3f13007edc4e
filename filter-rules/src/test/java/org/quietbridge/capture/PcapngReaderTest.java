package org.quietbridge.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quietbridge.capture.testing.PcapngBuilder;
import org.quietbridge.frame.testing.FrameBuilder;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PcapngReaderTest {
    private static final byte[] NETBIOS =
            FrameBuilder.ethernet().broadcast().udp("10.0.0.5", "10.0.0.255", 138, 138).payload(30).build();
    private static final byte[] ARP =
            FrameBuilder.ethernet().broadcast().arp(1, 0x0200_0000_0005L, "10.0.0.5", 0, "10.0.0.1").build();

    private static CaptureReader open(byte[] file) throws IOException {
        return CaptureReader.open(new ByteArrayInputStream(file), "t.pcapng");
    }

    private static byte[] frameBytes(CaptureReader reader) {
        return reader.frame().asSlice(0, reader.capturedLength()).toArray(ValueLayout.JAVA_BYTE);
    }

    private static ByteOrder order(String name) {
        return name.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** A little-endian SHB, IDB (Ethernet, snaplen 65535) and one EPB, spelled out byte by byte. */
    @Test
    void readsAHandWrittenLittleEndianFile() throws IOException {
        byte[] file = HexFormat.of().parseHex(""
                // SHB: type, length 28, BOM, version 1.0, section length -1, length 28
                + "0a0d0d0a" + "1c000000" + "4d3c2b1a" + "0100" + "0000" + "ffffffffffffffff" + "1c000000"
                // IDB: type 1, length 20, link type 1, reserved, snaplen 65535, length 20
                + "01000000" + "14000000" + "0100" + "0000" + "ffff0000" + "14000000"
                // EPB: type 6, length 48, interface 0, ts high 0, ts low 1_000_001 us, cap 14, orig 60
                + "06000000" + "30000000" + "00000000" + "00000000" + "41420f00" + "0e000000" + "3c000000"
                // 14 bytes of frame, 2 of padding, length 48
                + "ffffffffffff" + "020000000001" + "0806" + "0000" + "30000000");
        try (CaptureReader reader = open(file)) {
            assertEquals(CaptureReader.Format.PCAPNG, reader.format());
            assertTrue(reader.next());
            assertEquals(14, reader.capturedLength());
            assertEquals(60, reader.originalLength());
            assertEquals(1_000_001_000L, reader.timestampNanos());
            assertArrayEquals(HexFormat.of().parseHex("ffffffffffff0200000000010806"), frameBytes(reader));
            assertFalse(reader.next());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"BIG_ENDIAN", "LITTLE_ENDIAN"})
    void readsEnhancedAndSimplePacketsOnSeveralInterfacesSkippingUnknownBlocks(String orderName) throws IOException {
        PcapngBuilder b = new PcapngBuilder().section(order(orderName));
        byte[] nanos = PcapngBuilder.options(b.option(9, new byte[] {9}));
        byte[] binary = PcapngBuilder.options(b.option(9, new byte[] {(byte) 0x80 | 10}), b.option(14, b.int64(100)));
        b.interfaceDescription(1, 0);                       // 0: microseconds, no snap length
        b.block(PcapngBuilder.NRB, new byte[] {0, 0, 0, 0});    // name resolution: skipped
        b.interfaceDescription(1, 65535, nanos);            // 1: nanoseconds
        b.block(0x0BAD_0001, new byte[] {1, 2, 3, 4, 5});       // unknown: skipped
        b.interfaceDescription(1, 65535, binary);           // 2: 1/1024 s, offset 100 s
        b.enhancedPacket(1, 5_000_000_123L, NETBIOS);
        b.enhancedPacket(0, 7_000_001L, ARP, 1000, PcapngBuilder.options(b.option(1, "comment".getBytes())));
        b.simplePacket(ARP, ARP.length);
        b.enhancedPacket(2, 3L * 1024 + 512, NETBIOS);
        try (CaptureReader reader = open(b.bytes())) {
            assertTrue(reader.next());
            assertEquals(1, reader.interfaceId());
            assertEquals(5_000_000_123L, reader.timestampNanos());
            assertArrayEquals(NETBIOS, frameBytes(reader));

            assertTrue(reader.next());
            assertEquals(0, reader.interfaceId());
            assertEquals(7_000_001_000L, reader.timestampNanos());
            assertEquals(1000, reader.originalLength());
            assertArrayEquals(ARP, frameBytes(reader));

            assertTrue(reader.next());
            assertEquals(0, reader.interfaceId());
            assertEquals(CaptureReader.NO_TIMESTAMP, reader.timestampNanos());
            assertArrayEquals(ARP, frameBytes(reader));

            assertTrue(reader.next());
            assertEquals(2, reader.interfaceId());
            assertEquals(103_500_000_000L, reader.timestampNanos());
            assertArrayEquals(NETBIOS, frameBytes(reader));

            assertFalse(reader.next());
            assertEquals(4, reader.frames());
        }
    }

    @Test
    void startsAFreshInterfaceListInEachSectionWhateverItsByteOrder() throws IOException {
        PcapngBuilder b = new PcapngBuilder().section(ByteOrder.BIG_ENDIAN)
                .interfaceDescription(1, 0).interfaceDescription(1, 0)
                .enhancedPacket(1, 1, ARP)
                .section(ByteOrder.LITTLE_ENDIAN)
                .interfaceDescription(1, 0)
                .enhancedPacket(0, 2, NETBIOS)
                .enhancedPacket(1, 3, NETBIOS);
        try (CaptureReader reader = open(b.bytes())) {
            assertTrue(reader.next());
            assertArrayEquals(ARP, frameBytes(reader));
            assertTrue(reader.next());
            assertArrayEquals(NETBIOS, frameBytes(reader));
            CaptureFormatException e = assertThrows(CaptureFormatException.class, reader::next);
            assertTrue(e.getMessage().contains("packet on interface 1, but the section describes 1 interface"),
                    e.getMessage());
        }
    }

    @Test
    void cutsASimplePacketToTheSnapLength() throws IOException {
        byte[] cut = Arrays.copyOf(NETBIOS, 20);
        byte[] file = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN).interfaceDescription(1, 20)
                .simplePacket(cut, NETBIOS.length).bytes();
        try (CaptureReader reader = open(file)) {
            assertTrue(reader.next());
            assertEquals(20, reader.capturedLength());
            assertEquals(NETBIOS.length, reader.originalLength());
            assertArrayEquals(cut, frameBytes(reader));
        }
    }

    @Test
    void namesTheLinkTypeOfANonEthernetInterface() throws IOException {
        byte[] file = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN)
                .interfaceDescription(1, 0).interfaceDescription(113, 0)
                .enhancedPacket(0, 1, ARP).enhancedPacket(1, 2, ARP).bytes();
        try (CaptureReader reader = open(file)) {
            assertTrue(reader.next(), "the Ethernet interface's packet reads");
            CaptureFormatException e = assertThrows(CaptureFormatException.class, reader::next);
            // SHB 28 + two IDBs 20 each + the first EPB (32 + 44 bytes of padded ARP frame) = 144.
            assertEquals("t.pcapng: byte 144: interface 1 has link type 113 (LINUX_SLL); "
                    + "only Ethernet captures (link type 1, DLT_EN10MB) can be read", e.getMessage());
        }
    }
}
