package org.quietbridge.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

import net.jqwik.api.AfterFailureMode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.frame.testing.Hex;

/**
 * Robustness of the decoder on frames it was never meant to see. Valid frames of every kind
 * are built, mutated (bit flips, byte changes, insertions, deletions, truncation, extra VLAN
 * tags, rewritten IHL, total length, EtherType, fragment word and protocol), and then every
 * prefix of the result is decoded.
 *
 * <p>Each decode goes through a slice of exactly the frame's length, so a read one byte past
 * the frame throws {@link IndexOutOfBoundsException} and fails the property. The view is
 * reused across all decodes, as on the data plane. For every decode every accessor is read,
 * the invariants the data plane relies on are checked, and the result is compared field by
 * field with {@link ReferenceDecoder}.
 *
 * <p>jqwik draws a new seed on every run and prints it with any failure, together with the
 * shrunk arguments: the frame recipe (the builder calls) and the mutations applied to it. The
 * failure message has the offending frame in hex.
 */
class FrameViewFuzzTest {

    /** Frames each property must decode in one run; fewer means the generators went wrong. */
    private static final long MIN_DECODES_PER_PROPERTY = 100_000;

    private static final List<Ipv4Prefix> PREFIXES = List.of(
            Ipv4Prefix.parse("10.8.0.0/16"), Ipv4Prefix.parse("192.168.7.0/24"), Ipv4Prefix.parse("10.0.0.0/31"));
    private static final Ipv4Subnets SUBNETS = Ipv4Subnets.of(PREFIXES);
    private static final ReferenceDecoder REFERENCE = new ReferenceDecoder(PREFIXES);

    /** Bytes of junk either side of the frame in its backing array; the slice hides them. */
    private static final int GUARD = 16;
    private static final byte JUNK = (byte) 0x5a;

    private final FrameView view = new FrameView();
    private long decodes;

    @BeforeProperty
    void resetCount() {
        decodes = 0;
    }

    @AfterProperty
    void checkEnoughFramesWereDecoded() {
        assertTrue(decodes >= MIN_DECODES_PER_PROPERTY, "only " + decodes + " frames decoded");
    }

    @Property(tries = 2_500, afterFailure = AfterFailureMode.SAMPLE_FIRST)
    void mutatedFramesDecodeInsideTheirBoundsAsTheReferenceDoes(
            @ForAll("validFrames") FrameRecipe recipe,
            @ForAll("mutations") List<Mutation> mutations,
            @ForAll("outerTags") OuterTag outer) {
        byte[] frame = recipe.build();
        for (Mutation m : mutations) {
            frame = m.applyTo(frame);
        }
        decodeEveryPrefix(frame, outer);
    }

    @Property(tries = 2_500, afterFailure = AfterFailureMode.SAMPLE_FIRST)
    void randomBytesDecodeInsideTheirBoundsAsTheReferenceDoes(
            @ForAll("plausibleHeaders") byte[] header,
            @ForAll("randomTails") byte[] tail,
            @ForAll("outerTags") OuterTag outer) {
        byte[] frame = Arrays.copyOf(header, header.length + tail.length);
        System.arraycopy(tail, 0, frame, header.length, tail.length);
        decodeEveryPrefix(frame, outer);
    }

    private void decodeEveryPrefix(byte[] frame, OuterTag outer) {
        byte[] backing = new byte[GUARD + frame.length + GUARD];
        Arrays.fill(backing, JUNK);
        System.arraycopy(frame, 0, backing, GUARD, frame.length);
        MemorySegment all = MemorySegment.ofArray(backing);
        for (int length = 0; length <= frame.length; length++) {
            byte[] prefix = Arrays.copyOf(frame, length);
            MemorySegment exact = all.asSlice(GUARD, length);
            try {
                view.wrap(exact, 0, length, outer.tpid(), outer.tci());
            } catch (RuntimeException e) {
                throw new AssertionError("decoding " + Hex.of(prefix) + " with " + outer + " threw", e);
            }
            decodes++;
            DecodedFrame got = DecodedFrame.of(view, SUBNETS);
            checkInvariants(got, length);
            DecodedFrame expected = REFERENCE.decode(prefix, outer.tpid(), outer.tci());
            assertEquals(expected, got, () -> "frame " + Hex.of(prefix) + " with " + outer);
        }
    }

    private static void checkInvariants(DecodedFrame d, int length) {
        assertEquals(length, d.length(), "length");
        assertTrue(d.l3Offset() <= length, "l3Offset within the frame");
        assertTrue(!d.hasPorts() || d.l4Offset() + Udp.PORTS_LENGTH <= length, "ports within the frame");
        assertTrue(!d.ipv4() || d.l3Offset() + d.ipv4TotalLength() <= length, "IPv4 packet within the frame");
        assertTrue(d.tagCount() <= FrameView.MAX_TAGS, "tagCount");
        assertTrue(d.inFrameTags() <= 2, "inFrameTags");
        assertEquals(d.tagCount(), d.inFrameTags() + (d.outOfBandTag() ? 1 : 0), "tag count adds up");
        assertEquals(d.malformation() != Malformation.NONE, d.malformed(), "malformed()");
        assertTrue(!d.hasPorts() || (d.ipv4() && (d.udp() || d.tcp()) && !d.nonFirstFragment()), "ports only for L4");
        assertTrue(!d.ipv4() || (d.ipv4HeaderLength() >= 20 && d.ipv4HeaderLength() <= 60
                && d.l4Offset() == d.l3Offset() + d.ipv4HeaderLength()), "IPv4 header length");
        assertTrue(!d.llc() || d.etherType() == FrameView.ETHERTYPE_8023, "LLC only on 802.3");
        assertTrue(!d.arp() || d.etherType() == Ethernet.ETHERTYPE_ARP, "ARP only on 0x0806");
        assertTrue(d.malformation() != Malformation.EMPTY || length == 0, "EMPTY only for no bytes");
        assertTrue(d.malformation() != Malformation.RUNT || (length > 0 && length < Ethernet.HEADER_LENGTH), "RUNT");
    }

    // ---- generators ------------------------------------------------------------------------

    /** The tag the kernel reports beside the frame; TPID 0 means none. */
    record OuterTag(int tpid, int tci) {
    }

    @Provide
    Arbitrary<OuterTag> outerTags() {
        Arbitrary<Integer> tci = Arbitraries.integers().between(0, 0xFFFF);
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(new OuterTag(0, 0))),
                Tuple.of(1, tci.map(t -> new OuterTag(Ethernet.TPID_8021Q, t))),
                Tuple.of(1, tci.map(t -> new OuterTag(Ethernet.TPID_8021AD, t))));
    }

    private static Arbitrary<Long> macs() {
        return Arbitraries.oneOf(
                Arbitraries.of(Ethernet.BROADCAST_MAC, 0x01005e0000fbL, 0x333300000001L, 0x0180c2000000L,
                        NlbMac.unicastMac(0x0a0e23f7), NlbMac.multicastMac(0x0a0e23f7), NlbMac.igmpMac(0x0a0e23f7),
                        0x02010a0e23f7L),
                Arbitraries.longs().between(0, 0xFFFF_FFFF_FFFFL));
    }

    private static Arbitrary<String> ipv4Addresses() {
        return Arbitraries.oneOf(
                Arbitraries.of("255.255.255.255", "10.8.255.255", "10.8.1.255", "224.0.0.1", "239.255.255.250",
                        "10.0.0.1", "192.168.7.255"),
                Arbitraries.integers().map(Ipv4::format));
    }

    private static Arbitrary<byte[]> data(int maxLength) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxLength);
    }

    /**
     * A valid frame as the builder calls that make it, so a failing case reads as a recipe
     * rather than a byte dump.
     */
    record FrameRecipe(long dst, long src, List<Tag> tags, Payload payload) {
        byte[] build() {
            FrameBuilder b = FrameBuilder.ethernet().dst(dst).src(src);
            for (Tag t : tags) {
                b.tag(t.tpid(), t.tci());
            }
            return payload.appendTo(b).build();
        }
    }

    record Tag(int tpid, int tci) {
    }

    sealed interface Payload permits Ipv4Payload, ArpPayload, LlcPayload, Ipv6Payload, RawPayload {
        FrameBuilder appendTo(FrameBuilder b);
    }

    enum Fragmenting { NONE, FIRST, LATER_MORE, LAST }

    record Ipv4Addressing(String src, String dst, int protocol, int sport, int dport) {
    }

    record Ipv4Payload(Ipv4Addressing addressing, int optionWords, Fragmenting fragmenting, int fragmentOffset,
            int dataLength, int padTo) implements Payload {
        @Override
        public FrameBuilder appendTo(FrameBuilder b) {
            Ipv4Addressing a = addressing;
            FrameBuilder.Ipv4Builder ip = b.ipv4(a.src(), a.dst()).protocol(a.protocol());
            if (a.protocol() == Ipv4.PROTOCOL_UDP || a.protocol() == Ipv4.PROTOCOL_TCP) {
                ip.ports(a.sport(), a.dport());
            }
            byte[] options = new byte[optionWords * 4];
            Arrays.fill(options, (byte) 1); // NOP
            ip.options(options);
            switch (fragmenting) {
                case NONE -> { }
                case FIRST -> ip.firstFragment();
                case LATER_MORE -> ip.laterFragment(fragmentOffset, true);
                case LAST -> ip.laterFragment(fragmentOffset, false);
            }
            return ip.payload(dataLength).done().padTo(padTo);
        }
    }

    record ArpPayload(int operation, long sha, String spa, long tha, String tpa) implements Payload {
        @Override
        public FrameBuilder appendTo(FrameBuilder b) {
            return b.arp(operation, sha, spa, tha, tpa).padTo(60);
        }
    }

    record LlcPayload(int dsap, int ssap, byte[] data) implements Payload {
        @Override
        public FrameBuilder appendTo(FrameBuilder b) {
            return b.llc(dsap, ssap, 3, data);
        }
    }

    record Ipv6Payload(byte[] data) implements Payload {
        @Override
        public FrameBuilder appendTo(FrameBuilder b) {
            return b.ipv6(17, new byte[16], new byte[16], data);
        }
    }

    record RawPayload(int etherType, byte[] data) implements Payload {
        @Override
        public FrameBuilder appendTo(FrameBuilder b) {
            return b.raw(etherType, data);
        }
    }

    @Provide
    Arbitrary<FrameRecipe> validFrames() {
        Arbitrary<Tag> tag = Combinators.combine(
                Arbitraries.of(Ethernet.TPID_8021Q, Ethernet.TPID_8021AD, Ethernet.TPID_QINQ_9100),
                Arbitraries.integers().between(0, 0xFFFF)).as(Tag::new);
        Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 0xFFFF);
        Arbitrary<Ipv4Addressing> addressing = Combinators.combine(ipv4Addresses(), ipv4Addresses(),
                Arbitraries.of(Ipv4.PROTOCOL_UDP, Ipv4.PROTOCOL_TCP, Ipv4.PROTOCOL_ICMP, Ipv4.PROTOCOL_IGMP, 47),
                u16, u16).as(Ipv4Addressing::new);
        Arbitrary<Payload> ipv4 = Combinators.combine(addressing, Arbitraries.integers().between(0, 10),
                Arbitraries.of(Fragmenting.class), Arbitraries.integers().between(1, 0x1FFF),
                Arbitraries.integers().between(0, 48), Arbitraries.of(0, 60)).as(Ipv4Payload::new);
        Arbitrary<Payload> arp = Combinators.combine(
                Arbitraries.of(Arp.OPERATION_REQUEST, Arp.OPERATION_REPLY, 3, 0xFFFF),
                macs(), ipv4Addresses(), macs(), ipv4Addresses()).as(ArpPayload::new);
        Arbitrary<Payload> llc = Combinators.combine(
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 255), data(40))
                .as(LlcPayload::new);
        Arbitrary<Payload> ipv6 = data(24).map(Ipv6Payload::new);
        Arbitrary<Payload> raw = Combinators.combine(u16, data(40)).as(RawPayload::new);
        Arbitrary<Payload> payload = Arbitraries.frequencyOf(
                Tuple.of(4, ipv4), Tuple.of(1, arp), Tuple.of(1, llc), Tuple.of(1, ipv6), Tuple.of(1, raw));
        return Combinators.combine(macs(), macs(), tag.list().ofMaxSize(3), payload).as(FrameRecipe::new);
    }

    /** A mutation of a frame; positions wrap around the frame's length. */
    record Mutation(Kind kind, int position, int value) {
        enum Kind {
            FLIP_BIT, SET_BYTE, INSERT_BYTES, DELETE_BYTES, TRUNCATE, INSERT_TAG,
            SET_ETHERTYPE, SET_IHL, SET_TOTAL_LENGTH, SET_FRAGMENT_WORD, SET_PROTOCOL
        }

        private static final int[] TYPES = {0x0800, 0x0806, 0x86dd, 0x8100, 0x88a8, 0x9100, 0x0000, 0x0026, 0x05dc,
            0x05dd, 0x0600};
        private static final int[] TPIDS = {0x8100, 0x88a8, 0x9100};
        private static final int[] PROTOCOLS = {1, 2, 6, 17, 0, 255};

        byte[] applyTo(byte[] f) {
            int n = f.length;
            int at = n == 0 ? 0 : Math.floorMod(position, n);
            int l3 = REFERENCE.decode(f, 0, 0).l3Offset();
            return switch (kind) {
                case FLIP_BIT -> n == 0 ? f : set(f, at, f[at] ^ (1 << (value & 7)));
                case SET_BYTE -> n == 0 ? f : set(f, at, value);
                case INSERT_BYTES -> insert(f, Math.floorMod(position, n + 1), filled((value & 7) + 1, value >>> 8));
                case DELETE_BYTES -> delete(f, at, (value & 7) + 1);
                case TRUNCATE -> Arrays.copyOf(f, Math.floorMod(position, n + 1));
                case INSERT_TAG -> insert(f, Math.min(12 + 4 * Math.floorMod(position, 3), n),
                        new byte[] {(byte) (TPIDS[Math.floorMod(value, 3)] >> 8), (byte) TPIDS[Math.floorMod(value, 3)],
                            (byte) (value >>> 8), (byte) (value >>> 16)});
                case SET_ETHERTYPE -> l3 < 2 ? f : set16(f, l3 - 2, TYPES[Math.floorMod(value, TYPES.length)]);
                case SET_IHL -> l3 >= n ? f : set(f, l3, (f[l3] & 0xF0) | (value & 0x0F));
                case SET_TOTAL_LENGTH -> set16(f, l3 + 2, value < 0 ? value : n - l3 + Math.floorMod(value, 9) - 4);
                case SET_FRAGMENT_WORD -> set16(f, l3 + 6, value);
                case SET_PROTOCOL -> l3 + 9 >= n ? f : set(f, l3 + 9, PROTOCOLS[Math.floorMod(value, PROTOCOLS.length)]);
            };
        }

        private static byte[] set(byte[] f, int at, int v) {
            byte[] c = f.clone();
            c[at] = (byte) v;
            return c;
        }

        private static byte[] set16(byte[] f, int at, int v) {
            if (at < 0 || at + 2 > f.length) {
                return f;
            }
            return set(set(f, at, v >> 8), at + 1, v);
        }

        private static byte[] filled(int count, int v) {
            byte[] b = new byte[count];
            Arrays.fill(b, (byte) v);
            return b;
        }

        private static byte[] insert(byte[] f, int at, byte[] bytes) {
            byte[] c = new byte[f.length + bytes.length];
            System.arraycopy(f, 0, c, 0, at);
            System.arraycopy(bytes, 0, c, at, bytes.length);
            System.arraycopy(f, at, c, at + bytes.length, f.length - at);
            return c;
        }

        private static byte[] delete(byte[] f, int at, int count) {
            int k = Math.min(count, f.length - at);
            if (k <= 0) {
                return f;
            }
            byte[] c = new byte[f.length - k];
            System.arraycopy(f, 0, c, 0, at);
            System.arraycopy(f, at + k, c, at, f.length - at - k);
            return c;
        }
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Combinators.combine(Arbitraries.of(Mutation.Kind.class), Arbitraries.integers(), Arbitraries.integers())
                .as(Mutation::new).list().ofMaxSize(5);
    }

    /**
     * The first bytes of a frame with the type/length fields drawn from the values that steer
     * the decoder, so random tails reach the IPv4, ARP and LLC paths.
     */
    @Provide
    Arbitrary<byte[]> plausibleHeaders() {
        Arbitrary<Integer> type = Arbitraries.of(0x0800, 0x0806, 0x86dd, 0x8100, 0x88a8, 0x9100, 0x0026, 0x05dc,
                0x0600, 0x88b5);
        return Combinators.combine(macs(), type, type, type, Arbitraries.integers().between(0, 0xFFFF),
                Arbitraries.integers().between(0, 3)).as((mac, t1, t2, t3, tci, depth) -> {
                    byte[] h = new byte[12 + 4 * depth + 2];
                    for (int i = 0; i < 6; i++) {
                        h[i] = (byte) (mac >>> (40 - 8 * i));
                    }
                    int[] types = {t1, t2, t3};
                    int at = 12;
                    for (int d = 0; d < depth; d++, at += 4) {
                        h[at] = (byte) (types[d] >> 8);
                        h[at + 1] = (byte) types[d];
                        h[at + 2] = (byte) (tci >> 8);
                        h[at + 3] = (byte) tci.intValue();
                    }
                    h[at] = (byte) (types[depth % 3] >> 8);
                    h[at + 1] = (byte) types[depth % 3];
                    return h;
                });
    }

    /** Random bytes, with an IPv4 version/IHL byte up front half the time. */
    @Provide
    Arbitrary<byte[]> randomTails() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(90);
        return Combinators.combine(random, Arbitraries.integers().between(0x40, 0x4F), Arbitraries.of(true, false))
                .as((bytes, versionIhl, ipv4ish) -> {
                    if (ipv4ish && bytes.length > 0) {
                        bytes[0] = (byte) (int) versionIhl;
                    }
                    return bytes;
                });
    }
}
