package org.quietbridge.bridge.port;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quietbridge.bridge.port.FramePort.TX_OK;
import static org.quietbridge.bridge.port.FramePort.TX_TOO_BIG;
import static org.quietbridge.bridge.port.FramePort.TX_TOO_SHORT;
import static org.quietbridge.bridge.port.TestFrames.EXPERIMENTAL;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Re-inserting the stripped tag on transmit, byte for byte, and the TX size rules. */
class TagInsertionTest {
    private static final int IPV4 = 0x0800;
    private final MemoryPort port = new MemoryPort("mem0", 1500);

    @AfterEach
    void close() {
        port.close();
    }

    private byte[] sendOne(byte[] frame, int tpid, int tci) {
        assertEquals(TX_OK, port.transmit(MemorySegment.ofArray(frame), 0, frame.length, tpid, tci));
        port.flush();
        List<byte[]> sent = port.takeTransmitted();
        assertEquals(1, sent.size());
        return sent.get(0);
    }

    @Test
    void copiesAnUntaggedFrameUnchanged() {
        byte[] frame = TestFrames.untagged(IPV4, "plain", 60);
        assertArrayEquals(frame, sendOne(frame, 0, 0));
    }

    @Test
    void insertsDot1qTagAfterTheMacAddressesKeepingPcpDeiAndVid() {
        int tci = (5 << 13) | (1 << 12) | 100; // PCP 5, DEI 1, VID 100 = 0xB064
        byte[] wire = TestFrames.tagged(0x8100, tci, IPV4, "dot1q", 64);
        byte[] sent = sendOne(TestFrames.stripOuterTag(wire), 0x8100, tci);
        assertArrayEquals(wire, sent);
        assertEquals((byte) 0x81, sent[12]);
        assertEquals((byte) 0x00, sent[13]);
        assertEquals((byte) 0xB0, sent[14]);
        assertEquals((byte) 0x64, sent[15]);
    }

    @Test
    void insertsAPriorityTagWithVid0() {
        byte[] wire = TestFrames.tagged(0x8100, 3 << 13, IPV4, "prio", 64);
        assertArrayEquals(wire, sendOne(TestFrames.stripOuterTag(wire), 0x8100, 3 << 13));
    }

    @Test
    void insertsAnAllZeroTagWhenTheFrameHadOne() {
        byte[] wire = TestFrames.tagged(0x8100, 0, IPV4, "vid0", 64);
        byte[] sent = sendOne(TestFrames.stripOuterTag(wire), 0x8100, 0);
        assertArrayEquals(wire, sent);
        assertEquals(64, sent.length);
    }

    @Test
    void insertsAnOuter8021adTagAndKeepsTheInnerTagInPlace() {
        byte[] wire = TestFrames.doubleTagged(0x88A8, 200, (7 << 13) | 10, IPV4, "qinq", 68);
        byte[] sent = sendOne(TestFrames.stripOuterTag(wire), 0x88A8, 200);
        assertArrayEquals(wire, sent);
    }

    @Test
    void keepsTheFullTciRangeIncludingVid4095() {
        int tci = 0xFFFF;
        byte[] wire = TestFrames.tagged(0x8100, tci, IPV4, "ffff", 64);
        assertArrayEquals(wire, sendOne(TestFrames.stripOuterTag(wire), 0x8100, tci));
    }

    @Test
    void acceptsAnMtuSizedFramePlusAnInserted8021qTag() {
        byte[] frame = TestFrames.untagged(IPV4, "max", 1514);
        assertEquals(1518, port.maxFrameLength());
        assertEquals(1518, sendOne(frame, 0x8100, 7).length);
    }

    @Test
    void refusesWithoutTruncatingAFrameLongerThanMaxFrameLength() {
        byte[] frame = TestFrames.untagged(IPV4, "big", 1515);
        MemorySegment src = MemorySegment.ofArray(frame);
        assertEquals(TX_TOO_BIG, port.transmit(src, 0, 1515, 0x8100, 7)); // 1519 > 1518
        assertEquals(TX_TOO_BIG, port.transmit(src, 0, 1515, 0, 0));      // 1515 > 1514 without 0x8100 outermost
        port.flush();
        assertEquals(List.of(), port.takeTransmitted());
        assertEquals(0, port.txPending());
    }

    @Test
    void allowsTheExtraFourBytesOnlyFor8021qOutermostLikeTheKernel() {
        byte[] payload1514 = TestFrames.untagged(EXPERIMENTAL, "s-tag", 1514);
        assertEquals(TX_TOO_BIG, port.transmit(MemorySegment.ofArray(payload1514), 0, 1514, 0x88A8, 1));
        byte[] payload1510 = TestFrames.untagged(EXPERIMENTAL, "s-tag", 1510);
        assertEquals(TX_OK, port.transmit(MemorySegment.ofArray(payload1510), 0, 1510, 0x88A8, 1));
        byte[] inBand = TestFrames.tagged(0x8100, 9, IPV4, "in-band", 1518);
        assertEquals(TX_OK, port.transmit(MemorySegment.ofArray(inBand), 0, 1518, 0, 0));
    }

    @Test
    void refusesFramesShorterThanAnEthernetHeader() {
        byte[] runt = new byte[13];
        assertEquals(TX_TOO_SHORT, port.transmit(MemorySegment.ofArray(runt), 0, 13, 0, 0));
        assertEquals(TX_TOO_SHORT, port.transmit(MemorySegment.ofArray(runt), 0, 13, 0x8100, 1));
    }

    @Test
    void copiesFromAnOffsetInsideALargerSegment() {
        byte[] wire = TestFrames.tagged(0x8100, 42, IPV4, "offset", 80);
        byte[] stripped = TestFrames.stripOuterTag(wire);
        byte[] buffer = new byte[200];
        System.arraycopy(stripped, 0, buffer, 66, stripped.length);
        assertEquals(TX_OK, port.transmit(MemorySegment.ofArray(buffer), 66, stripped.length, 0x8100, 42));
        port.flush();
        assertArrayEquals(wire, port.takeTransmitted().get(0));
    }
}
