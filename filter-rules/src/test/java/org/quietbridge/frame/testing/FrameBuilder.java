package org.quietbridge.frame.testing;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.NlbMac;

/**
 * Builds byte-exact test frames: MAC header, in-frame VLAN tags, then an IPv4/UDP/TCP, ARP,
 * IPv6 or raw payload. Checksums are correct unless a test corrupts them on purpose.
 *
 * <pre>{@code
 * byte[] f = FrameBuilder.ethernet().src("00:11:22:33:44:55").broadcast()
 *         .vlan(0x8100, 10).udp("10.0.0.5", "255.255.255.255", 137, 137).payload(50).build();
 * }</pre>
 */
public final class FrameBuilder {
    private long dst = 0x0000_5E00_5301L;
    private long src = 0x0200_0000_0001L;
    private final List<int[]> tags = new ArrayList<>();
    private int etherType = -1;
    private byte[] l3 = new byte[0];
    private int padTo;

    private FrameBuilder() {
    }

    public static FrameBuilder ethernet() {
        return new FrameBuilder();
    }

    public FrameBuilder dst(String mac) {
        this.dst = Ethernet.parseMac(mac);
        return this;
    }

    public FrameBuilder dst(long mac) {
        this.dst = mac;
        return this;
    }

    public FrameBuilder src(String mac) {
        this.src = Ethernet.parseMac(mac);
        return this;
    }

    public FrameBuilder src(long mac) {
        this.src = mac;
        return this;
    }

    public FrameBuilder broadcast() {
        return dst(Ethernet.BROADCAST_MAC);
    }

    /** Adds an in-frame tag (outermost first) with PCP 0, DEI 0. */
    public FrameBuilder vlan(int tpid, int vid) {
        return tag(tpid, vid & 0xFFF);
    }

    /** Adds an in-frame tag (outermost first) with a full TCI. */
    public FrameBuilder tag(int tpid, int tci) {
        tags.add(new int[] {tpid, tci});
        return this;
    }

    /** Pads the finished frame with zeros to at least {@code n} bytes (60 on a real wire). */
    public FrameBuilder padTo(int n) {
        this.padTo = n;
        return this;
    }

    /** A raw EtherType and payload. */
    public FrameBuilder raw(int etherType, byte[] payload) {
        this.etherType = etherType;
        this.l3 = payload.clone();
        return this;
    }

    /** An 802.3 frame: length field then an LLC header (DSAP, SSAP, control) and data. */
    public FrameBuilder llc(int dsap, int ssap, int control, byte[] data) {
        byte[] body = new byte[3 + data.length];
        body[0] = (byte) dsap;
        body[1] = (byte) ssap;
        body[2] = (byte) control;
        System.arraycopy(data, 0, body, 3, data.length);
        this.etherType = body.length;
        this.l3 = body;
        return this;
    }

    public Ipv4Builder ipv4(String source, String destination) {
        return new Ipv4Builder(this, Ipv4.parse(source), Ipv4.parse(destination));
    }

    /** IPv4/UDP with an 8-byte UDP header and no data yet; see {@link Ipv4Builder#payload}. */
    public Ipv4Builder udp(String source, String destination, int sport, int dport) {
        return ipv4(source, destination).protocol(Ipv4.PROTOCOL_UDP).ports(sport, dport);
    }

    public Ipv4Builder tcp(String source, String destination, int sport, int dport) {
        return ipv4(source, destination).protocol(Ipv4.PROTOCOL_TCP).ports(sport, dport);
    }

    /** An IPv4-over-Ethernet ARP packet. */
    public FrameBuilder arp(int operation, long senderMac, String senderIp, long targetMac, String targetIp) {
        byte[] a = new byte[28];
        put16(a, 0, 1);
        put16(a, 2, Ethernet.ETHERTYPE_IPV4);
        a[4] = 6;
        a[5] = 4;
        put16(a, 6, operation);
        putMac(a, 8, senderMac);
        put32(a, 14, Ipv4.parse(senderIp));
        putMac(a, 18, targetMac);
        put32(a, 24, Ipv4.parse(targetIp));
        return raw(Ethernet.ETHERTYPE_ARP, a);
    }

    /**
     * A gratuitous ARP for an NLB unicast cluster, to the broadcast MAC: sender MAC 02:bf:W:X:Y:Z,
     * sender and target IP the cluster IP. The Ethernet source stays as set with {@link #src}.
     */
    public FrameBuilder nlbGratuitousArp(String clusterIp) {
        long clusterMac = NlbMac.unicastMac(Ipv4.parse(clusterIp));
        return broadcast().arp(1, clusterMac, clusterIp, 0, clusterIp);
    }

    /** An IPv6 packet: next header, addresses as 16-byte arrays, and payload. */
    public FrameBuilder ipv6(int nextHeader, byte[] source, byte[] destination, byte[] payload) {
        byte[] p = new byte[40 + payload.length];
        p[0] = 0x60;
        put16(p, 4, payload.length);
        p[6] = (byte) nextHeader;
        p[7] = (byte) 255;
        System.arraycopy(source, 0, p, 8, 16);
        System.arraycopy(destination, 0, p, 24, 16);
        System.arraycopy(payload, 0, p, 40, payload.length);
        return raw(Ethernet.ETHERTYPE_IPV6, p);
    }

    public byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] head = new byte[12];
        putMac(head, 0, dst);
        putMac(head, 6, src);
        out.writeBytes(head);
        for (int[] t : tags) {
            out.writeBytes(new byte[] {(byte) (t[0] >> 8), (byte) t[0], (byte) (t[1] >> 8), (byte) t[1]});
        }
        if (etherType >= 0) {
            out.writeBytes(new byte[] {(byte) (etherType >> 8), (byte) etherType});
        }
        out.writeBytes(l3);
        byte[] frame = out.toByteArray();
        if (frame.length < padTo) {
            byte[] padded = new byte[padTo];
            System.arraycopy(frame, 0, padded, 0, frame.length);
            return padded;
        }
        return frame;
    }

    public MemorySegment segment() {
        return MemorySegment.ofArray(build());
    }

    /** Builds the IPv4 part of a frame. */
    public static final class Ipv4Builder {
        private final FrameBuilder frame;
        private final int source;
        private final int destination;
        private int protocol = 253; // RFC 3692 experimental
        private byte[] options = new byte[0];
        private int flagsFragment;
        private int sport = -1;
        private int dport = -1;
        private byte[] data = new byte[0];
        private int ttl = 64;
        private int identification = 0x1234;
        private Integer ihlOverride;
        private Integer totalLengthOverride;
        private Integer versionOverride;

        Ipv4Builder(FrameBuilder frame, int source, int destination) {
            this.frame = frame;
            this.source = source;
            this.destination = destination;
        }

        public Ipv4Builder protocol(int p) {
            this.protocol = p;
            return this;
        }

        public Ipv4Builder ports(int s, int d) {
            this.sport = s;
            this.dport = d;
            return this;
        }

        /** IP options, padded with end-of-list to a multiple of four bytes. */
        public Ipv4Builder options(byte... opts) {
            int len = (opts.length + 3) & ~3;
            this.options = new byte[len];
            System.arraycopy(opts, 0, options, 0, opts.length);
            return this;
        }

        /** Marks a first fragment: MF set, offset 0. */
        public Ipv4Builder firstFragment() {
            this.flagsFragment = Ipv4.MF;
            return this;
        }

        /** Marks a later fragment at {@code offset8} units of eight bytes; no L4 header is written. */
        public Ipv4Builder laterFragment(int offset8, boolean more) {
            this.flagsFragment = (more ? Ipv4.MF : 0) | (offset8 & Ipv4.FRAGMENT_OFFSET_MASK);
            return this;
        }

        /** The identification field (0x1234 unless set): what names the datagram a fragment belongs to. */
        public Ipv4Builder id(int id) {
            this.identification = id;
            return this;
        }

        public Ipv4Builder ttl(int t) {
            this.ttl = t;
            return this;
        }

        /** Writes a wrong IHL (in 32-bit words) into the header. */
        public Ipv4Builder ihl(int words) {
            this.ihlOverride = words;
            return this;
        }

        /** Writes a wrong total length into the header. */
        public Ipv4Builder totalLength(int n) {
            this.totalLengthOverride = n;
            return this;
        }

        public Ipv4Builder version(int v) {
            this.versionOverride = v;
            return this;
        }

        /** L4 payload bytes after the UDP/TCP header: a repeating 0..255 pattern. */
        public Ipv4Builder payload(int n) {
            byte[] d = new byte[n];
            for (int i = 0; i < n; i++) {
                d[i] = (byte) i;
            }
            return payload(d);
        }

        public Ipv4Builder payload(byte[] d) {
            this.data = d.clone();
            return this;
        }

        /** Finishes the IPv4 packet and returns the frame builder. */
        public FrameBuilder done() {
            boolean later = (flagsFragment & Ipv4.FRAGMENT_OFFSET_MASK) != 0;
            byte[] l4;
            if (later || sport < 0) {
                l4 = data;
            } else if (protocol == Ipv4.PROTOCOL_TCP) {
                l4 = new byte[20 + data.length];
                put16(l4, 0, sport);
                put16(l4, 2, dport);
                put32(l4, 4, 1);
                l4[12] = 0x50;
                l4[13] = 0x18; // PSH, ACK
                put16(l4, 14, 65535);
                System.arraycopy(data, 0, l4, 20, data.length);
            } else {
                l4 = new byte[8 + data.length];
                put16(l4, 0, sport);
                put16(l4, 2, dport);
                put16(l4, 4, l4.length);
                System.arraycopy(data, 0, l4, 8, data.length);
            }
            int headerLength = 20 + options.length;
            byte[] p = new byte[headerLength + l4.length];
            int version = versionOverride == null ? 4 : versionOverride;
            int ihl = ihlOverride == null ? headerLength / 4 : ihlOverride;
            p[0] = (byte) (version << 4 | (ihl & 0xF));
            put16(p, 2, totalLengthOverride == null ? p.length : totalLengthOverride);
            put16(p, 4, identification);
            put16(p, 6, flagsFragment);
            p[8] = (byte) ttl;
            p[9] = (byte) protocol;
            put32(p, 12, source);
            put32(p, 16, destination);
            System.arraycopy(options, 0, p, 20, options.length);
            put16(p, 10, Checksums.internet(p, 0, headerLength, 0));
            System.arraycopy(l4, 0, p, headerLength, l4.length);
            if (!later && sport >= 0) {
                int csumAt = headerLength + (protocol == Ipv4.PROTOCOL_TCP ? 16 : 6);
                int pseudo = Checksums.pseudoHeaderSum(source, destination, protocol, l4.length);
                int sum = Checksums.internet(p, headerLength, l4.length, pseudo);
                if (protocol == Ipv4.PROTOCOL_UDP && sum == 0) {
                    sum = 0xFFFF;
                }
                put16(p, csumAt, sum);
            }
            return frame.raw(Ethernet.ETHERTYPE_IPV4, p);
        }

        /** Shortcut for {@code done().build()}. */
        public byte[] build() {
            return done().build();
        }
    }

    static void put16(byte[] a, int at, int v) {
        a[at] = (byte) (v >> 8);
        a[at + 1] = (byte) v;
    }

    static void put32(byte[] a, int at, int v) {
        put16(a, at, v >>> 16);
        put16(a, at + 2, v);
    }

    static void putMac(byte[] a, int at, long mac) {
        for (int i = 0; i < 6; i++) {
            a[at + i] = (byte) (mac >>> (40 - 8 * i));
        }
    }
}
