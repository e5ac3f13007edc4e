package org.quietbridge.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.capture.testing.PcapngBuilder;
import org.quietbridge.frame.testing.FrameBuilder;

/** Damaged captures fail with one line naming the byte offset, and never allocate what they claim. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DamagedCaptureTest {
    private static final byte[] FRAME =
            FrameBuilder.ethernet().broadcast().udp("10.0.0.5", "255.255.255.255", 137, 137).payload(20).build();

    private static byte[] pcap(int frames) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(out, ByteOrder.LITTLE_ENDIAN, false, 65535)) {
            for (int i = 0; i < frames; i++) {
                writer.write(FRAME, i);
            }
        }
        return out.toByteArray();
    }

    /** Reads every frame and returns the failure. */
    private static CaptureFormatException failure(byte[] file) {
        return assertThrows(CaptureFormatException.class, () -> {
            try (CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(file), "bad.cap")) {
                while (reader.next()) {
                    // drain
                }
            }
        });
    }

    private static void assertOneLine(String message) {
        assertFalse(message.contains("\n"), message);
    }

    @Test
    void rejectsAnEmptyFile() {
        assertEquals("bad.cap: byte 0: empty file, not a pcap or pcapng capture", failure(new byte[0]).getMessage());
    }

    @Test
    void rejectsAFileThatIsNotACaptureNamingItsMagic() {
        CaptureFormatException e = failure("hello world, not a capture".getBytes());
        assertEquals("bad.cap: byte 0: not a pcap or pcapng capture (magic 0x68656c6c)", e.getMessage());
    }

    @Test
    void tellsTheOperatorToDecompressAGzippedCapture() {
        CaptureFormatException e = failure(new byte[] {0x1F, (byte) 0x8B, 8, 0, 0, 0});
        assertTrue(e.getMessage().contains("gunzip"), e.getMessage());
    }

    @Test
    void rejectsATruncatedPcapFileHeader() throws IOException {
        CaptureFormatException e = failure(Arrays.copyOf(pcap(0), 10));
        assertEquals("bad.cap: byte 0: truncated pcap file header: 10 of 24 bytes", e.getMessage());
    }

    @Test
    void rejectsATruncatedRecordHeaderAtItsOffset() throws IOException {
        byte[] whole = pcap(2);
        int second = 24 + 16 + FRAME.length;
        CaptureFormatException e = failure(Arrays.copyOf(whole, second + 5));
        assertEquals("bad.cap: byte " + second + ": truncated record header: 5 of 16 bytes", e.getMessage());
        assertEquals(second, e.offset());
    }

    @Test
    void rejectsTruncatedFrameData() throws IOException {
        byte[] whole = pcap(1);
        CaptureFormatException e = failure(Arrays.copyOf(whole, whole.length - 1));
        assertEquals("bad.cap: byte 24: truncated frame data: " + (FRAME.length - 1) + " of " + FRAME.length
                + " bytes", e.getMessage());
    }

    @Test
    void rejectsARecordClaimingGigabytesWithoutAllocatingThem() throws IOException {
        byte[] file = pcap(1);
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 8, 0x7FFF_FFF0);
        CaptureFormatException e = failure(file);
        assertEquals("bad.cap: byte 24: record claims 2147483632 captured bytes, more than the 16 MiB limit",
                e.getMessage());
    }

    @Test
    void namesTheLinkTypeOfANonEthernetPcap() throws IOException {
        byte[] file = pcap(1);
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(20, 127);
        CaptureFormatException e = failure(file);
        assertEquals("bad.cap: byte 20: the capture has link type 127 (IEEE802_11_RADIOTAP); "
                + "only Ethernet captures (link type 1, DLT_EN10MB) can be read", e.getMessage());
    }

    @Test
    void acceptsFcsBitsAboveTheLinkType() throws IOException {
        byte[] file = pcap(1);
        // draft-ietf-opsawg-pcap: F bit and FCS length (4 bytes = 2 16-bit words) in the top bits.
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(20, 0x1000_0000 | 0x2000_0000 | 1);
        try (CaptureReader reader = CaptureReader.open(new ByteArrayInputStream(file), "fcs.pcap")) {
            assertTrue(reader.next());
        }
    }

    @Test
    void rejectsAnUnknownPcapVersion() throws IOException {
        byte[] file = pcap(0);
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putShort(4, (short) 3);
        assertEquals("bad.cap: byte 4: unsupported pcap version 3.4", failure(file).getMessage());
    }

    private static PcapngBuilder pcapng() {
        return new PcapngBuilder().section(ByteOrder.BIG_ENDIAN).interfaceDescription(1, 0);
    }

    @Test
    void rejectsATruncatedPcapngBlock() {
        byte[] whole = pcapng().enhancedPacket(0, 0, FRAME).bytes();
        CaptureFormatException e = failure(Arrays.copyOf(whole, whole.length - 6));
        assertOneLine(e.getMessage());
        assertEquals(48, e.offset(), "the EPB starts after the 28-byte SHB and the 20-byte IDB");
        assertTrue(e.getMessage().startsWith("bad.cap: byte 48: truncated"), e.getMessage());
    }

    @Test
    void rejectsAPcapngBlockClaimingGigabytes() {
        byte[] file = pcapng().raw(HexFormat.of().parseHex("00000006" + "7ffffff0" + "00000000")).bytes();
        assertEquals("bad.cap: byte 48: block claims 2147483632 bytes, more than the 16 MiB limit",
                failure(file).getMessage());
    }

    @Test
    void rejectsAPcapngBlockWhoseTrailingLengthDiffers() {
        byte[] file = pcapng().enhancedPacket(0, 0, FRAME).bytes();
        file[file.length - 1] ^= 4;
        CaptureFormatException e = failure(file);
        assertTrue(e.getMessage().startsWith("bad.cap: byte 48: block total length "), e.getMessage());
    }

    @Test
    void rejectsAPcapngBlockLengthThatIsNotAMultipleOfFour() {
        byte[] file = pcapng().raw(HexFormat.of().parseHex("00000006" + "00000021")).bytes();
        assertEquals("bad.cap: byte 48: bad block total length 33", failure(file).getMessage());
    }

    @Test
    void rejectsAPacketLongerThanItsBlock() {
        byte[] file = pcapng().enhancedPacket(0, 0, FRAME).bytes();
        ByteBuffer.wrap(file).putInt(48 + 20, 4000);
        assertEquals("bad.cap: byte 48: packet claims 4000 captured bytes in a block of " + (32 + ((FRAME.length + 3) & ~3))
                + " bytes", failure(file).getMessage());
    }

    @Test
    void rejectsABadByteOrderMagic() {
        byte[] file = pcapng().bytes();
        file[8] = 0;
        assertEquals("bad.cap: byte 8: bad pcapng byte-order magic 0x002b3c4d", failure(file).getMessage());
    }

    @Test
    void rejectsAPacketBeforeAnyInterfaceDescription() {
        byte[] file = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN).enhancedPacket(0, 0, FRAME).bytes();
        assertEquals("bad.cap: byte 28: packet on interface 0, but the section describes 0 interfaces",
                failure(file).getMessage());
    }
}
