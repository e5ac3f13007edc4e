package org.quietbridge.frame;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;
import org.quietbridge.frame.SampleFrames.Sample;
import org.quietbridge.frame.testing.Hex;
import org.quietbridge.frame.testing.HexFrames;

/** {@link FrameView#wrap}: where the frame is, how long it is, and that a re-wrap leaves nothing behind. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FrameViewWrapTest {

    private static final Ipv4Subnets SUBNETS = Ipv4Subnets.of(List.of(Ipv4Prefix.parse("10.8.0.0/16")));
    static final List<Sample> SAMPLES = SampleFrames.ALL;

    @ParameterizedTest(name = "{0}")
    @FieldSource("SAMPLES")
    void decodesTheSameDeepInsideALargerHeapSegment(Sample s) {
        byte[] f = s.bytes();
        byte[] big = new byte[4096];
        Arrays.fill(big, (byte) 0xa5);
        int at = 1037;
        System.arraycopy(f, 0, big, at, f.length);
        MemorySegment segment = MemorySegment.ofArray(big);
        FrameView v = new FrameView().wrap(segment, at, f.length, s.outerTpid(), s.outerTci());
        assertEquals(fresh(s), DecodedFrame.of(v, SUBNETS));
        assertEquals(at, v.offset());
        assertSame(segment, v.segment());
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("SAMPLES")
    void decodesTheSameInNativeMemory(Sample s) {
        byte[] f = s.bytes();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ring = arena.allocate(2048);
            ring.fill((byte) 0xff);
            MemorySegment.copy(f, 0, ring, ValueLayout.JAVA_BYTE, 333, f.length);
            FrameView v = new FrameView().wrap(ring, 333, f.length, s.outerTpid(), s.outerTci());
            assertEquals(fresh(s), DecodedFrame.of(v, SUBNETS));
        }
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("SAMPLES")
    void clipsALengthBeyondTheSegmentToTheSegment(Sample s) {
        byte[] f = s.bytes();
        FrameView v = new FrameView().wrap(MemorySegment.ofArray(f), 0, 9000, s.outerTpid(), s.outerTci());
        assertEquals(fresh(s), DecodedFrame.of(v, SUBNETS));
        assertEquals(f.length, v.length());
    }

    @Test
    void clipsFromTheOffsetNotFromTheStart() {
        byte[] f = Hex.bytes(HexFrames.UNTAGGED_NETBIOS_NAME_BROADCAST);
        byte[] shifted = new byte[10 + f.length];
        System.arraycopy(f, 0, shifted, 10, f.length);
        FrameView v = new FrameView().wrap(MemorySegment.ofArray(shifted), 10, Integer.MAX_VALUE);
        assertEquals(f.length, v.length());
        assertEquals(Malformation.NONE, v.malformation());
        assertEquals(137, v.destinationPort());
    }

    @Test
    void bytesBeyondTheGivenLengthAreNotPartOfTheFrame() {
        byte[] f = Hex.bytes(HexFrames.TAGGED_ARP_REQUEST);
        FrameView v = new FrameView().wrap(MemorySegment.ofArray(f), 0, f.length - 1);
        assertEquals(Malformation.ARP_TRUNCATED, v.malformation());
        assertFalse(v.arp());
    }

    @ParameterizedTest(name = "offset {0}, length {1}")
    @CsvSource({
        "0, 0",
        "0, -1",
        "0, -2147483648",
        "-1, 46",
        "-9223372036854775808, 46",
        "46, 10",      // offset at the end of the segment
        "47, 10",      // offset past it
        "9223372036854775807, 10",
    })
    void emptyWhenNothingIsLeftToDecodeAndNeverThrows(long offset, int length) {
        byte[] f = Hex.bytes(HexFrames.UNTAGGED_NETBIOS_NAME_BROADCAST);
        FrameView v = new FrameView().wrap(MemorySegment.ofArray(f), offset, length);
        assertEquals(Malformation.EMPTY, v.malformation());
        assertEquals(0, v.length());
        assertEquals(0, v.destinationMac());
    }

    @Test
    void nullSegmentIsEmpty() {
        FrameView v = new FrameView().wrap(MemorySegment.NULL, 0, 60);
        assertEquals(Malformation.EMPTY, v.malformation());
    }

    @Test
    void outOfBandTagIsReportedEvenForAnEmptyFrame() {
        FrameView v = new FrameView().wrap(MemorySegment.NULL, 0, 0, Ethernet.TPID_8021Q, 42);
        assertEquals(Malformation.EMPTY, v.malformation());
        assertEquals(1, v.tagCount());
        assertEquals(42, v.vlanId());
    }

    @Test
    void reWrappingARuntAfterARichFrameLeavesNothingBehind() {
        Sample rich = find("out-of-band tag, QinQ, UDP 137");
        FrameView v = new FrameView();
        wrap(v, rich);
        assertEquals(3, v.tagCount());
        assertEquals(137, v.destinationPort());

        byte[] runt = Hex.bytes("ffffffffffff 0011");
        v.wrap(MemorySegment.ofArray(runt), 0, runt.length);
        assertAll(
                () -> assertEquals(Malformation.RUNT, v.malformation()),
                () -> assertEquals(0, v.tagCount()),
                () -> assertFalse(v.outOfBandTag()),
                () -> assertEquals(0, v.inFrameTags()),
                () -> assertEquals(0, v.tagTpid(0), "tag slot 0"),
                () -> assertEquals(0, v.tagTci(0), "tag slot 0"),
                () -> assertEquals(0, v.tagTpid(1), "tag slot 1"),
                () -> assertEquals(0, v.tagTpid(2), "tag slot 2"),
                () -> assertEquals(-1, v.vlanId()),
                () -> assertEquals(-1, v.innerVlanId()),
                () -> assertEquals(0, v.etherType()),
                () -> assertFalse(v.ipv4()),
                () -> assertEquals(-1, v.ipProtocol()),
                () -> assertEquals(0, v.ipv4Source()),
                () -> assertEquals(0, v.ipv4Destination()),
                () -> assertEquals(0, v.ipv4TotalLength()),
                () -> assertFalse(v.hasPorts()),
                () -> assertEquals(-1, v.sourcePort()),
                () -> assertEquals(-1, v.destinationPort()),
                () -> assertEquals(0, v.l4Offset()),
                () -> assertEquals(0, v.l3Offset()));
        assertEquals(DecodedFrame.of(new FrameView().wrap(MemorySegment.ofArray(runt), 0, runt.length), SUBNETS),
                DecodedFrame.of(v, SUBNETS));
    }

    @Test
    void reWrappingAfterArpAndLlcLeavesNothingBehind() {
        FrameView v = new FrameView();
        wrap(v, find("NLB gratuitous ARP"));
        assertEquals(0x02bf0a0e23f7L, v.arpSenderMac());
        wrap(v, find("STP BPDU (hex)"));
        assertFalse(v.arp());
        assertEquals(0, v.arpSenderMac());
        assertEquals(0, v.arpOperation());
        assertEquals(0x42, v.llcDsap());
        wrap(v, find("IPv6 to all nodes"));
        assertFalse(v.llc());
        assertEquals(-1, v.llcDsap());
        assertEquals(-1, v.llcSsap());
    }

    /** Every ordered pair of samples: the second decode must not depend on the first. */
    @Test
    void aReusedViewDecodesEverySampleAsAFreshViewWould() {
        FrameView reused = new FrameView();
        for (Sample first : SAMPLES) {
            for (Sample second : SAMPLES) {
                wrap(reused, first);
                wrap(reused, second);
                assertEquals(fresh(second), DecodedFrame.of(reused, SUBNETS), () -> first + " then " + second);
            }
        }
    }

    private static Sample find(String name) {
        return SAMPLES.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static void wrap(FrameView v, Sample s) {
        byte[] f = s.bytes();
        v.wrap(MemorySegment.ofArray(f), 0, f.length, s.outerTpid(), s.outerTci());
    }

    private static DecodedFrame fresh(Sample s) {
        FrameView v = new FrameView();
        wrap(v, s);
        return DecodedFrame.of(v, SUBNETS);
    }
}
