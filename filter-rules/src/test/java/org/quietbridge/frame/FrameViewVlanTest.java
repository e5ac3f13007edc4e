package org.quietbridge.frame;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.frame.testing.Hex;

/**
 * VLAN tags: in the frame (802.1Q, 802.1ad, pre-standard 0x9100) and out of band (the tag the
 * kernel strips and reports as {@code tp_vlan_tpid}/{@code tp_vlan_tci}), outermost first.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FrameViewVlanTest {

    private static final String MACS = "ffffffffffff 001122334455 ";
    /** IEEE 802 local experimental EtherType 1 and four bytes of data: decoded no further. */
    private static final String PAYLOAD = " 88b5 deadbeef";

    /** One row of the tag table; tag arrays are outermost first. */
    record TagCase(String hex, int outerTpid, int outerTci, int[] tpids, int[] tcis, int inFrameTags,
            int etherType, int l3Offset) {

        static TagCase inFrame(String tags, int[] tpids, int[] tcis, int etherType, int l3Offset) {
            return new TagCase(MACS + tags + PAYLOAD, 0, 0, tpids, tcis, tpids.length, etherType, l3Offset);
        }

        static TagCase outOfBand(int tpid, int tci, String tags, int[] tpids, int[] tcis, int etherType,
                int l3Offset) {
            return new TagCase(MACS + tags + PAYLOAD, tpid, tci, tpids, tcis, tpids.length - 1, etherType, l3Offset);
        }
    }

    static Stream<Arguments> tagCases() {
        return Stream.of(
                Arguments.of(named("untagged Ethernet II",
                        TagCase.inFrame("", new int[0], new int[0], 0x88b5, 14))),
                Arguments.of(named("one 802.1Q tag, PCP 5, DEI, VID 100",
                        TagCase.inFrame("8100 b064", ints(0x8100), ints(0xb064), 0x88b5, 18))),
                Arguments.of(named("802.1Q priority tag: VID 0, PCP 3",
                        TagCase.inFrame("8100 6000", ints(0x8100), ints(0x6000), 0x88b5, 18))),
                Arguments.of(named("QinQ: 802.1ad S-tag VID 200 over 802.1Q C-tag VID 10",
                        TagCase.inFrame("88a8 00c8 8100 400a", ints(0x88a8, 0x8100), ints(0x00c8, 0x400a), 0x88b5, 22))),
                Arguments.of(named("QinQ: pre-standard 0x9100 outer, DEI, VID 4094, over 802.1Q VID 1",
                        TagCase.inFrame("9100 1ffe 8100 0001", ints(0x9100, 0x8100), ints(0x1ffe, 0x0001), 0x88b5, 22))),
                Arguments.of(named("a lone 0x9100 tag",
                        TagCase.inFrame("9100 0007", ints(0x9100), ints(0x0007), 0x88b5, 18))),
                // Only two tags are looked for in the frame; the third TPID is reported as the
                // EtherType, so a rule that wants IPv4 does not match a frame it cannot see into.
                Arguments.of(named("third in-frame tag is left as EtherType 0x8100",
                        TagCase.inFrame("88a8 0064 8100 000a 8100 0005", ints(0x88a8, 0x8100), ints(0x0064, 0x000a),
                                0x8100, 22))),
                Arguments.of(named("out-of-band 802.1Q VID 100, untagged frame",
                        TagCase.outOfBand(0x8100, 0x2064, "", ints(0x8100), ints(0x2064), 0x88b5, 14))),
                Arguments.of(named("out-of-band priority tag VID 0",
                        TagCase.outOfBand(0x8100, 0x0000, "", ints(0x8100), ints(0x0000), 0x88b5, 14))),
                Arguments.of(named("out-of-band PCP 7, DEI, VID 4095 kept bit for bit",
                        TagCase.outOfBand(0x8100, 0xffff, "", ints(0x8100), ints(0xffff), 0x88b5, 14))),
                Arguments.of(named("out-of-band 802.1ad S-tag, 802.1Q C-tag in the frame",
                        TagCase.outOfBand(0x88a8, 0x012c, "8100 000a", ints(0x88a8, 0x8100), ints(0x012c, 0x000a),
                                0x88b5, 18))),
                Arguments.of(named("out-of-band tag plus two in-frame tags: three tags",
                        TagCase.outOfBand(0x88a8, 0x0001, "8100 0002 8100 0003", ints(0x88a8, 0x8100, 0x8100),
                                ints(0x0001, 0x0002, 0x0003), 0x88b5, 22))),
                Arguments.of(named("out-of-band tag plus three in-frame tags: third left as EtherType",
                        TagCase.outOfBand(0x88a8, 0x0001, "8100 0002 8100 0003 8100 0004", ints(0x88a8, 0x8100, 0x8100),
                                ints(0x0001, 0x0002, 0x0003), 0x8100, 22))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tagCases")
    void decodesTagsOutermostFirst(TagCase c) {
        FrameView v = decode(Hex.bytes(c.hex()), c.outerTpid(), c.outerTci());
        int n = c.tpids().length;
        int[] tpids = new int[n];
        int[] tcis = new int[n];
        for (int i = 0; i < n; i++) {
            tpids[i] = v.tagTpid(i);
            tcis[i] = v.tagTci(i);
        }
        assertAll(
                () -> assertEquals(Malformation.NONE, v.malformation()),
                () -> assertEquals(n, v.tagCount(), "tagCount"),
                () -> assertEquals(c.outerTpid() != 0, v.outOfBandTag(), "outOfBandTag"),
                () -> assertEquals(c.inFrameTags(), v.inFrameTags(), "inFrameTags"),
                () -> assertEquals(Arrays.toString(c.tpids()), Arrays.toString(tpids), "TPIDs"),
                () -> assertEquals(Arrays.toString(c.tcis()), Arrays.toString(tcis), "TCIs"),
                () -> assertEquals(n == 0 ? -1 : c.tcis()[0] & 0xfff, v.vlanId(), "vlanId"),
                () -> assertEquals(n == 0 ? -1 : c.tcis()[n - 1] & 0xfff, v.innerVlanId(), "innerVlanId"),
                () -> assertEquals(c.etherType(), v.etherType(), "etherType"),
                () -> assertEquals(c.l3Offset(), v.l3Offset(), "l3Offset"),
                () -> assertEquals(0x001122334455L, v.sourceMac(), "source MAC behind the tags"));
    }

    @Test
    void priorityTagIsDistinguishableFromUntagged() {
        FrameView untagged = decode(Hex.bytes(MACS + PAYLOAD), 0, 0);
        FrameView inFrame = decode(Hex.bytes(MACS + "8100 0000" + PAYLOAD), 0, 0);
        FrameView outOfBand = decode(Hex.bytes(MACS + PAYLOAD), 0x8100, 0);
        assertAll(
                () -> assertEquals(-1, untagged.vlanId()),
                () -> assertEquals(0, untagged.tagCount()),
                () -> assertEquals(0, inFrame.vlanId()),
                () -> assertEquals(1, inFrame.tagCount()),
                () -> assertEquals(0, outOfBand.vlanId()),
                () -> assertEquals(1, outOfBand.tagCount()),
                () -> assertTrue(outOfBand.outOfBandTag()));
    }

    @Test
    void keepsPcpAndDeiOfEveryTag() {
        int outer = VlanTag.tci(6, true, 300);
        int middle = VlanTag.tci(1, false, 4094);
        int inner = VlanTag.tci(7, true, 0);
        byte[] f = FrameBuilder.ethernet().tag(Ethernet.TPID_8021Q, middle).tag(Ethernet.TPID_8021Q, inner)
                .raw(0x88b5, new byte[4]).build();
        FrameView v = decode(f, Ethernet.TPID_8021AD, outer);
        assertAll(
                () -> assertEquals(6, VlanTag.pcp(v.tagTci(0))),
                () -> assertTrue(VlanTag.dei(v.tagTci(0))),
                () -> assertEquals(300, VlanTag.vid(v.tagTci(0))),
                () -> assertEquals(1, VlanTag.pcp(v.tagTci(1))),
                () -> assertFalse(VlanTag.dei(v.tagTci(1))),
                () -> assertEquals(4094, VlanTag.vid(v.tagTci(1))),
                () -> assertEquals(7, VlanTag.pcp(v.tagTci(2))),
                () -> assertTrue(VlanTag.dei(v.tagTci(2))),
                () -> assertEquals(0, VlanTag.vid(v.tagTci(2))),
                () -> assertEquals(300, v.vlanId()),
                () -> assertEquals(0, v.innerVlanId()));
    }

    @Test
    void outOfBandTpidAndTciAreCutTo16Bits() {
        FrameView v = decode(Hex.bytes(MACS + PAYLOAD), 0x1_8100, 0xf_2064);
        assertEquals(0x8100, v.tagTpid(0));
        assertEquals(0x2064, v.tagTci(0));
    }

    @Test
    void outOfBandTciWithoutTpidMeansNoTag() {
        FrameView v = decode(Hex.bytes(MACS + PAYLOAD), 0, 0x2064);
        assertEquals(0, v.tagCount());
        assertFalse(v.outOfBandTag());
        assertEquals(-1, v.vlanId());
    }

    @Test
    void tagsReachTheIpv4HeaderBehindThem() {
        byte[] f = FrameBuilder.ethernet().vlan(Ethernet.TPID_QINQ_9100, 7).vlan(Ethernet.TPID_8021Q, 8)
                .udp("10.0.0.1", "10.0.0.255", 138, 138).payload(10).build();
        FrameView v = decode(f, Ethernet.TPID_8021AD, 6);
        assertAll(
                () -> assertEquals(3, v.tagCount()),
                () -> assertEquals(6, v.vlanId()),
                () -> assertEquals(8, v.innerVlanId()),
                () -> assertTrue(v.ipv4()),
                () -> assertEquals(22, v.l3Offset()),
                () -> assertEquals(138, v.destinationPort()));
    }

    private static int[] ints(int... values) {
        return values;
    }

    private static FrameView decode(byte[] f, int tpid, int tci) {
        return new FrameView().wrap(MemorySegment.ofArray(f), 0, f.length, tpid, tci);
    }
}
