package org.quietbridge.frame;

import java.util.Arrays;
import java.util.List;

/**
 * A second, deliberately plain decoder: byte arrays, no offsets into a shared segment, no
 * attention to speed. It is written from the documents (IEEE 802.3 clause 3.2.6, IEEE
 * 802.1Q, RFC 791, RFC 826, RFC 919/922/3021, RFC 5771, the NLB MAC forms) and the
 * behaviour {@link FrameView} documents, so the fuzz test can compare every accessor of
 * the real decoder with it on any input, not only check invariants.
 */
final class ReferenceDecoder {
    private static final int[] VLAN_TPIDS = {0x8100, 0x88A8, 0x9100};

    private final List<Ipv4Prefix> subnets;

    ReferenceDecoder(List<Ipv4Prefix> subnets) {
        this.subnets = List.copyOf(subnets);
    }

    /** What a {@link FrameView} must report for exactly these bytes and this out-of-band tag. */
    DecodedFrame decode(byte[] f, int outerTpid, int outerTci) {
        State s = new State();
        s.length = f.length;
        if (outerTpid != 0) {
            s.tpid[0] = outerTpid & 0xFFFF;
            s.tci[0] = outerTci & 0xFFFF;
            s.tags = 1;
            s.outOfBand = true;
        }
        s.decodeFrom(f);
        return s.toDecoded(subnets);
    }

    private static final class State {
        int length;
        Malformation malformation = Malformation.NONE;
        long dst;
        long src;
        final int[] tpid = new int[FrameView.MAX_TAGS];
        final int[] tci = new int[FrameView.MAX_TAGS];
        int tags;
        boolean outOfBand;
        int inFrame;
        int etherType;
        int l3;
        int dsap = -1;
        int ssap = -1;
        boolean ipv4;
        int ihlBytes;
        int totalLength;
        int protocol = -1;
        int ipSrc;
        int ipDst;
        int fragWord;
        boolean ports;
        int l4;
        int sport = -1;
        int dport = -1;
        boolean arp;
        int op;
        long sha;
        int spa;
        long tha;
        int tpa;

        void decodeFrom(byte[] f) {
            if (f.length == 0) {
                malformation = Malformation.EMPTY;
                return;
            }
            if (f.length < 14) {
                malformation = Malformation.RUNT;
                return;
            }
            dst = mac(f, 0);
            src = mac(f, 6);
            int at = 12;
            // At most two tags inside the frame; a third TPID is left as the EtherType.
            while (inFrame < 2 && isVlanTpid(u16(f, at))) {
                if (f.length < at + 6) {
                    malformation = Malformation.VLAN_TRUNCATED;
                    return;
                }
                tpid[tags] = u16(f, at);
                tci[tags] = u16(f, at + 2);
                tags++;
                inFrame++;
                at += 4;
            }
            int type = u16(f, at);
            l3 = at + 2;
            int payload = f.length - l3;
            if (type < 0x0600) {
                etherType = FrameView.ETHERTYPE_8023;
                if (payload == 0) {
                    malformation = Malformation.NO_PAYLOAD;
                } else if (payload < 3) {
                    malformation = Malformation.LLC_TRUNCATED;
                } else {
                    dsap = u8(f, l3);
                    ssap = u8(f, l3 + 1);
                }
                return;
            }
            etherType = type;
            if (payload == 0) {
                malformation = Malformation.NO_PAYLOAD;
            } else if (type == 0x0800) {
                ipv4(f, payload);
            } else if (type == 0x0806) {
                arp(f, payload);
            }
        }

        private void ipv4(byte[] f, int payload) {
            if (payload < 20) {
                malformation = Malformation.IPV4_TRUNCATED;
                return;
            }
            int version = u8(f, l3) >> 4;
            int ihl = (u8(f, l3) & 0x0F) * 4;
            int total = u16(f, l3 + 2);
            if (version != 4) {
                malformation = Malformation.IPV4_BAD_VERSION;
            } else if (ihl < 20) {
                malformation = Malformation.IPV4_IHL_TOO_SMALL;
            } else if (ihl > payload) {
                malformation = Malformation.IPV4_IHL_BEYOND_FRAME;
            } else if (total < ihl || total > payload) {
                malformation = Malformation.IPV4_BAD_TOTAL_LENGTH;
            }
            if (malformation != Malformation.NONE) {
                return;
            }
            ipv4 = true;
            ihlBytes = ihl;
            totalLength = total;
            protocol = u8(f, l3 + 9);
            ipSrc = u32(f, l3 + 12);
            ipDst = u32(f, l3 + 16);
            fragWord = u16(f, l3 + 6);
            l4 = l3 + ihl;
            boolean laterFragment = (fragWord & 0x1FFF) != 0;
            if ((protocol == 6 || protocol == 17) && !laterFragment) {
                if (total - ihl < 4) {
                    malformation = Malformation.L4_TRUNCATED;
                    return;
                }
                ports = true;
                sport = u16(f, l4);
                dport = u16(f, l4 + 2);
            }
        }

        private void arp(byte[] f, int payload) {
            if (payload < 28) {
                malformation = Malformation.ARP_TRUNCATED;
                return;
            }
            boolean ethernetIpv4 = u16(f, l3) == 1 && u16(f, l3 + 2) == 0x0800;
            if (!ethernetIpv4) {
                return;
            }
            if (u8(f, l3 + 4) != 6 || u8(f, l3 + 5) != 4) {
                malformation = Malformation.ARP_TRUNCATED;
                return;
            }
            arp = true;
            op = u16(f, l3 + 6);
            sha = mac(f, l3 + 8);
            spa = u32(f, l3 + 14);
            tha = mac(f, l3 + 18);
            tpa = u32(f, l3 + 24);
        }

        DecodedFrame toDecoded(List<Ipv4Prefix> subnets) {
            boolean later = ipv4 && (fragWord & 0x1FFF) != 0;
            boolean more = ipv4 && (fragWord & 0x2000) != 0;
            return new DecodedFrame(
                    length,
                    malformation,
                    malformation != Malformation.NONE,
                    dst,
                    src,
                    dst == 0xFFFF_FFFF_FFFFL ? L2Class.BROADCAST
                            : ((dst >>> 40) & 1) == 1 ? L2Class.MULTICAST : L2Class.UNICAST,
                    nlb(dst),
                    tags,
                    Arrays.stream(tpid).boxed().toList(),
                    Arrays.stream(tci).boxed().toList(),
                    outOfBand,
                    inFrame,
                    tags == 0 ? -1 : tci[0] & 0xFFF,
                    tags == 0 ? -1 : tci[tags - 1] & 0xFFF,
                    etherType,
                    etherType == FrameView.ETHERTYPE_8023 && dsap >= 0,
                    dsap,
                    ssap,
                    l3,
                    etherType == 0x86DD,
                    ipv4,
                    ihlBytes,
                    totalLength,
                    protocol,
                    ipSrc,
                    ipDst,
                    later || more,
                    more && !later,
                    later,
                    ipv4 ? classify(ipDst, subnets) : null,
                    ports,
                    l4,
                    sport,
                    dport,
                    ipv4 && protocol == 17,
                    ipv4 && protocol == 6,
                    arp,
                    op,
                    sha,
                    spa,
                    tha,
                    tpa);
        }
    }

    static Ipv4Class classify(int address, List<Ipv4Prefix> subnets) {
        if (address == -1) {
            return Ipv4Class.LIMITED_BROADCAST;
        }
        int firstOctet = address >>> 24;
        if (firstOctet >= 224 && firstOctet <= 239) {
            return Ipv4Class.MULTICAST;
        }
        for (Ipv4Prefix p : subnets) {
            int hostBits = 32 - p.length();
            // RFC 3021: /31 and /32 have no broadcast address.
            if (hostBits >= 2 && address == (p.network() | (int) ((1L << hostBits) - 1))) {
                return Ipv4Class.DIRECTED_BROADCAST;
            }
        }
        return (address & 0xFF) == 0xFF ? Ipv4Class.ALL_ONES_HOST : Ipv4Class.UNICAST;
    }

    static NlbMac nlb(long mac) {
        int first = (int) (mac >>> 40) & 0xFF;
        int second = (int) (mac >>> 32) & 0xFF;
        if (first == 0x02 && second == 0xBF) {
            return NlbMac.UNICAST;
        }
        if (first == 0x03 && second == 0xBF) {
            return NlbMac.MULTICAST;
        }
        if (mac >>> 16 == 0x0100_5E7FL) {
            return NlbMac.IGMP;
        }
        return NlbMac.NONE;
    }

    private static boolean isVlanTpid(int type) {
        for (int t : VLAN_TPIDS) {
            if (t == type) {
                return true;
            }
        }
        return false;
    }

    private static int u8(byte[] f, int at) {
        return f[at] & 0xFF;
    }

    private static int u16(byte[] f, int at) {
        return (u8(f, at) << 8) | u8(f, at + 1);
    }

    private static int u32(byte[] f, int at) {
        return (u16(f, at) << 16) | u16(f, at + 2);
    }

    private static long mac(byte[] f, int at) {
        long m = 0;
        for (int i = 0; i < 6; i++) {
            m = (m << 8) | u8(f, at + i);
        }
        return m;
    }
}
