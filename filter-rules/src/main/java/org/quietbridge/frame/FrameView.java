package org.quietbridge.frame;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A reusable, allocation-free decoded view of one Ethernet frame held in a
 * {@link MemorySegment} (a packet ring slot, a capture buffer, a test array).
 *
 * <p>{@link #wrap} decodes the frame in one pass into primitive fields: the MAC header, up to
 * two VLAN tags inside the frame plus one tag the kernel stripped and reported out of band
 * (docs/ARCHITECTURE.md, kernel fact 2), 802.3/LLC, IPv4 with options and
 * fragments, the UDP/TCP ports, and ARP. Nothing is read outside
 * {@code [offset, offset + length)}, and nothing throws: a frame that cannot be decoded in
 * full reports a {@link Malformation} and keeps whatever was decoded before the fault.
 *
 * <p>Tags: at most two are looked for inside the frame, after the out-of-band one. A third
 * in-frame tag is not decoded: {@link #etherType()} then reports its TPID (0x8100, 0x88a8 or
 * 0x9100) and {@link #l3Offset()} points at its TCI, so nothing behind it (IPv4, ports) is
 * seen. A type/length value below 0x0600 is taken as an 802.3 length, the undefined
 * 1501..1535 included, as Linux's {@code eth_type_trans} does.
 *
 * <p>One view per thread; re-point it with {@link #wrap} for each frame.
 */
public final class FrameView {
    /** Tags a frame may carry: one out-of-band (stripped by the kernel) and two in the frame. */
    public static final int MAX_TAGS = 3;
    /** {@link #etherType()} of an IEEE 802.3 frame (length field, LLC header follows). */
    public static final int ETHERTYPE_8023 = -1;

    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;

    private MemorySegment segment = MemorySegment.NULL;
    private long base;
    private int length;
    private Malformation malformation = Malformation.NONE;

    private long destinationMac;
    private long sourceMac;
    private final int[] tagTpid = new int[MAX_TAGS];
    private final int[] tagTci = new int[MAX_TAGS];
    private int tagCount;
    private boolean outOfBandTag;
    private int inFrameTags;
    private int etherType;
    private int l3Offset;

    private int llcDsap;
    private int llcSsap;

    private boolean ipv4;
    private int ipv4HeaderLength;
    private int ipv4TotalLength;
    private int ipProtocol;
    private int ipv4Source;
    private int ipv4Destination;
    private int fragmentWord;
    private int ipv4Identification;
    private boolean hasPorts;
    private int l4Offset;
    private int sourcePort;
    private int destinationPort;

    private boolean arp;
    private int arpOperation;
    private long arpSenderMac;
    private int arpSenderIp;
    private long arpTargetMac;
    private int arpTargetIp;

    /**
     * Decodes the frame at {@code segment[offset, offset + length)}. A length past the end of
     * the segment is cut to it; a length of 0 or less, or an offset outside the segment, gives
     * an {@link Malformation#EMPTY} frame (that still reports the out-of-band tag). Never
     * throws for any offset or length.
     *
     * @param outerTpid TPID of a tag the kernel removed from the frame (for example
     *     {@code tp_vlan_tpid}), or 0 when there was none
     * @param outerTci TCI of that tag ({@code tp_vlan_tci}); ignored when {@code outerTpid} is 0
     * @return this view
     */
    public FrameView wrap(MemorySegment segment, long offset, int length, int outerTpid, int outerTci) {
        reset();
        this.segment = segment;
        this.base = offset;
        long available = segment.byteSize() - offset;
        this.length = offset < 0 || available <= 0 || length <= 0 ? 0 : (int) Math.min(length, available);
        if (outerTpid != 0) {
            tagTpid[0] = outerTpid & 0xFFFF;
            tagTci[0] = outerTci & 0xFFFF;
            tagCount = 1;
            outOfBandTag = true;
        }
        decode();
        return this;
    }

    /** Decodes a frame without an out-of-band tag. */
    public FrameView wrap(MemorySegment segment, long offset, int length) {
        return wrap(segment, offset, length, 0, 0);
    }

    private void reset() {
        malformation = Malformation.NONE;
        destinationMac = 0;
        sourceMac = 0;
        // Slots past tagCount read 0, not the tags of an earlier frame.
        for (int i = 0; i < MAX_TAGS; i++) {
            tagTpid[i] = 0;
            tagTci[i] = 0;
        }
        tagCount = 0;
        outOfBandTag = false;
        inFrameTags = 0;
        etherType = 0;
        l3Offset = 0;
        llcDsap = -1;
        llcSsap = -1;
        ipv4 = false;
        ipv4HeaderLength = 0;
        ipv4TotalLength = 0;
        ipProtocol = -1;
        ipv4Source = 0;
        ipv4Destination = 0;
        fragmentWord = 0;
        ipv4Identification = 0;
        hasPorts = false;
        l4Offset = 0;
        sourcePort = -1;
        destinationPort = -1;
        arp = false;
        arpOperation = 0;
        arpSenderMac = 0;
        arpSenderIp = 0;
        arpTargetMac = 0;
        arpTargetIp = 0;
    }

    private void decode() {
        if (length == 0) {
            malformation = Malformation.EMPTY;
            return;
        }
        if (length < Ethernet.HEADER_LENGTH) {
            malformation = Malformation.RUNT;
            return;
        }
        destinationMac = mac(Ethernet.DESTINATION_OFFSET);
        sourceMac = mac(Ethernet.SOURCE_OFFSET);
        int typeOffset = Ethernet.TYPE_OFFSET;
        int type = u16(typeOffset);
        while (Ethernet.isVlanTpid(type) && inFrameTags < 2) {
            if (typeOffset + VlanTag.LENGTH + 2 > length) {
                malformation = Malformation.VLAN_TRUNCATED;
                return;
            }
            tagTpid[tagCount] = type;
            tagTci[tagCount] = u16(typeOffset + VlanTag.TCI_OFFSET);
            tagCount++;
            inFrameTags++;
            typeOffset += VlanTag.LENGTH;
            type = u16(typeOffset);
        }
        l3Offset = typeOffset + 2;
        if (type < Ethernet.MIN_ETHERTYPE) {
            etherType = ETHERTYPE_8023;
            decodeLlc();
            return;
        }
        etherType = type;
        if (l3Offset == length) {
            malformation = Malformation.NO_PAYLOAD;
            return;
        }
        if (type == Ethernet.ETHERTYPE_IPV4) {
            decodeIpv4();
        } else if (type == Ethernet.ETHERTYPE_ARP) {
            decodeArp();
        }
    }

    private void decodeLlc() {
        // DSAP, SSAP, control (IEEE 802.2).
        if (l3Offset + 3 > length) {
            malformation = l3Offset == length ? Malformation.NO_PAYLOAD : Malformation.LLC_TRUNCATED;
            return;
        }
        llcDsap = u8(l3Offset);
        llcSsap = u8(l3Offset + 1);
    }

    private void decodeIpv4() {
        int remaining = length - l3Offset;
        if (remaining < Ipv4.MIN_HEADER_LENGTH) {
            malformation = Malformation.IPV4_TRUNCATED;
            return;
        }
        int versionIhl = u8(l3Offset + Ipv4.VERSION_IHL_OFFSET);
        if (versionIhl >>> 4 != 4) {
            malformation = Malformation.IPV4_BAD_VERSION;
            return;
        }
        int headerLength = (versionIhl & 0xF) * 4;
        if (headerLength < Ipv4.MIN_HEADER_LENGTH) {
            malformation = Malformation.IPV4_IHL_TOO_SMALL;
            return;
        }
        if (headerLength > remaining) {
            malformation = Malformation.IPV4_IHL_BEYOND_FRAME;
            return;
        }
        int totalLength = u16(l3Offset + Ipv4.TOTAL_LENGTH_OFFSET);
        if (totalLength < headerLength || totalLength > remaining) {
            malformation = Malformation.IPV4_BAD_TOTAL_LENGTH;
            return;
        }
        ipv4 = true;
        ipv4HeaderLength = headerLength;
        ipv4TotalLength = totalLength;
        ipProtocol = u8(l3Offset + Ipv4.PROTOCOL_OFFSET);
        ipv4Source = u32(l3Offset + Ipv4.SOURCE_OFFSET);
        ipv4Destination = u32(l3Offset + Ipv4.DESTINATION_OFFSET);
        fragmentWord = u16(l3Offset + Ipv4.FLAGS_FRAGMENT_OFFSET);
        ipv4Identification = u16(l3Offset + Ipv4.IDENTIFICATION_OFFSET);
        l4Offset = l3Offset + headerLength;
        if ((ipProtocol == Ipv4.PROTOCOL_UDP || ipProtocol == Ipv4.PROTOCOL_TCP) && !nonFirstFragment()) {
            // Ports lie inside the IP payload, bounded by the total length, not the frame.
            if (totalLength - headerLength < Udp.PORTS_LENGTH) {
                malformation = Malformation.L4_TRUNCATED;
                return;
            }
            hasPorts = true;
            sourcePort = u16(l4Offset + Udp.SOURCE_PORT_OFFSET);
            destinationPort = u16(l4Offset + Udp.DESTINATION_PORT_OFFSET);
        }
    }

    private void decodeArp() {
        if (length - l3Offset < Arp.LENGTH) {
            malformation = Malformation.ARP_TRUNCATED;
            return;
        }
        if (u16(l3Offset + Arp.HARDWARE_TYPE_OFFSET) != Arp.HARDWARE_ETHERNET
                || u16(l3Offset + Arp.PROTOCOL_TYPE_OFFSET) != Ethernet.ETHERTYPE_IPV4) {
            // Some other ARP (RFC 826 allows any hardware/protocol pair): forwardable, not decoded.
            return;
        }
        if (u8(l3Offset + Arp.HARDWARE_LENGTH_OFFSET) != Ethernet.MAC_LENGTH
                || u8(l3Offset + Arp.PROTOCOL_LENGTH_OFFSET) != 4) {
            // Ethernet/IPv4 fixes the lengths at 6 and 4; other lengths are a broken packet, which
            // Linux's arp_rcv drops, not "some other ARP".
            malformation = Malformation.ARP_TRUNCATED;
            return;
        }
        arp = true;
        arpOperation = u16(l3Offset + Arp.OPERATION_OFFSET);
        arpSenderMac = mac(l3Offset + Arp.SENDER_HARDWARE_OFFSET);
        arpSenderIp = u32(l3Offset + Arp.SENDER_PROTOCOL_OFFSET);
        arpTargetMac = mac(l3Offset + Arp.TARGET_HARDWARE_OFFSET);
        arpTargetIp = u32(l3Offset + Arp.TARGET_PROTOCOL_OFFSET);
    }

    private int u8(int at) {
        return segment.get(U8, base + at) & 0xFF;
    }

    private int u16(int at) {
        return segment.get(Ethernet.U16, base + at) & 0xFFFF;
    }

    private int u32(int at) {
        return segment.get(Ethernet.U32, base + at);
    }

    private long mac(int at) {
        return ((long) u16(at) << 32) | (u32(at + 2) & 0xFFFF_FFFFL);
    }

    // ---- the frame ------------------------------------------------------------------------

    /** The segment the frame lives in. */
    public MemorySegment segment() {
        return segment;
    }

    /** Offset of the frame's first byte in {@link #segment()}. */
    public long offset() {
        return base;
    }

    /** Bytes of frame decoded (as given to {@link #wrap}, clipped to the segment). */
    public int length() {
        return length;
    }

    public boolean malformed() {
        return malformation != Malformation.NONE;
    }

    public Malformation malformation() {
        return malformation;
    }

    // ---- layer 2 --------------------------------------------------------------------------

    /** Destination MAC in the low 48 bits; 0 for frames shorter than a MAC header. */
    public long destinationMac() {
        return destinationMac;
    }

    public long sourceMac() {
        return sourceMac;
    }

    public L2Class l2Class() {
        return L2Class.of(destinationMac);
    }

    /** NLB form of the destination MAC. */
    public NlbMac nlbDestination() {
        return NlbMac.of(destinationMac);
    }

    /** Number of VLAN tags, the out-of-band one included (0 to {@link #MAX_TAGS}). */
    public int tagCount() {
        return tagCount;
    }

    /** TPID of tag {@code i}, outermost first; 0 for {@code tagCount() <= i < MAX_TAGS}. */
    public int tagTpid(int i) {
        return tagTpid[i];
    }

    /** TCI (PCP, DEI, VID) of tag {@code i}, outermost first; 0 for {@code tagCount() <= i < MAX_TAGS}. */
    public int tagTci(int i) {
        return tagTci[i];
    }

    /** True when tag 0 came from outside the frame (stripped by the kernel). */
    public boolean outOfBandTag() {
        return outOfBandTag;
    }

    /** Tags inside the frame bytes (0 to 2). */
    public int inFrameTags() {
        return inFrameTags;
    }

    /** VID of the outermost tag, or -1 when the frame is untagged. Priority tags report VID 0. */
    public int vlanId() {
        return tagCount == 0 ? -1 : tagTci[0] & 0x0FFF;
    }

    /** VID of the innermost tag, or -1 when untagged. */
    public int innerVlanId() {
        return tagCount == 0 ? -1 : tagTci[tagCount - 1] & 0x0FFF;
    }

    /** EtherType after the tags, or {@link #ETHERTYPE_8023} for an 802.3/LLC frame. */
    public int etherType() {
        return etherType;
    }

    public boolean llc() {
        return etherType == ETHERTYPE_8023 && llcDsap >= 0;
    }

    public int llcDsap() {
        return llcDsap;
    }

    public int llcSsap() {
        return llcSsap;
    }

    /** Offset, from the frame's start, of the first byte after the EtherType/length field. */
    public int l3Offset() {
        return l3Offset;
    }

    public boolean ipv6() {
        return etherType == Ethernet.ETHERTYPE_IPV6;
    }

    // ---- IPv4 -----------------------------------------------------------------------------

    /** True when a whole IPv4 header was decoded. */
    public boolean ipv4() {
        return ipv4;
    }

    public int ipv4HeaderLength() {
        return ipv4HeaderLength;
    }

    public int ipv4TotalLength() {
        return ipv4TotalLength;
    }

    /** IP protocol number, or -1 when not IPv4. */
    public int ipProtocol() {
        return ipProtocol;
    }

    public int ipv4Source() {
        return ipv4Source;
    }

    public int ipv4Destination() {
        return ipv4Destination;
    }

    /**
     * The IPv4 header's identification: with the addresses and the protocol, it names the datagram a
     * fragment belongs to (RFC 791). 0 when not IPv4.
     */
    public int ipv4Identification() {
        return ipv4Identification;
    }

    /** True for any fragment: more-fragments set or a non-zero offset. */
    public boolean fragment() {
        return ipv4 && (fragmentWord & (Ipv4.MF | Ipv4.FRAGMENT_OFFSET_MASK)) != 0;
    }

    /** The first fragment of a fragmented datagram: it carries the L4 header. */
    public boolean firstFragment() {
        return ipv4 && (fragmentWord & Ipv4.MF) != 0 && (fragmentWord & Ipv4.FRAGMENT_OFFSET_MASK) == 0;
    }

    /** A later fragment: no L4 header, so no ports. */
    public boolean nonFirstFragment() {
        return ipv4 && (fragmentWord & Ipv4.FRAGMENT_OFFSET_MASK) != 0;
    }

    /** Classifies the IPv4 destination; {@code null} when the frame is not decoded IPv4. */
    public Ipv4Class ipv4DestinationClass(Ipv4Subnets subnets) {
        if (!ipv4) {
            return null;
        }
        int d = ipv4Destination;
        if (d == Ipv4.LIMITED_BROADCAST) {
            return Ipv4Class.LIMITED_BROADCAST;
        }
        if (Ipv4.isMulticast(d)) {
            return Ipv4Class.MULTICAST;
        }
        if (subnets.isDirectedBroadcast(d)) {
            return Ipv4Class.DIRECTED_BROADCAST;
        }
        // x.y.z.255 covers the all-ones host part of every /24, /16 and /8 alike.
        if ((d & 0xFF) == 0xFF) {
            return Ipv4Class.ALL_ONES_HOST;
        }
        return Ipv4Class.UNICAST;
    }

    /** True when UDP or TCP ports were decoded (not for later fragments). */
    public boolean hasPorts() {
        return hasPorts;
    }

    /** Offset, from the frame's start, of the L4 header; 0 when not IPv4. */
    public int l4Offset() {
        return l4Offset;
    }

    /** UDP/TCP source port, or -1. */
    public int sourcePort() {
        return sourcePort;
    }

    /** UDP/TCP destination port, or -1. */
    public int destinationPort() {
        return destinationPort;
    }

    public boolean udp() {
        return ipv4 && ipProtocol == Ipv4.PROTOCOL_UDP;
    }

    public boolean tcp() {
        return ipv4 && ipProtocol == Ipv4.PROTOCOL_TCP;
    }

    // ---- ARP ------------------------------------------------------------------------------

    /** True for a decoded IPv4-over-Ethernet ARP packet. */
    public boolean arp() {
        return arp;
    }

    public int arpOperation() {
        return arpOperation;
    }

    public long arpSenderMac() {
        return arpSenderMac;
    }

    public int arpSenderIp() {
        return arpSenderIp;
    }

    public long arpTargetMac() {
        return arpTargetMac;
    }

    public int arpTargetIp() {
        return arpTargetIp;
    }
}
