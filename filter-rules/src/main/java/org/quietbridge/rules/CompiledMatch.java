package org.quietbridge.rules;

import java.util.List;
import java.util.Set;

import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.Ipv4Prefix;

/**
 * One rule's match in primitive form, for {@link CompiledRules#evaluate}: a bit per present key
 * ({@link #keys}), bit sets (VLANs, IP protocols), masks over enum ordinals (L2Class, Ipv4Class,
 * NlbMac, Fragment: all far below 32 constants) and sorted int arrays (port ranges, prefixes).
 */
final class CompiledMatch {
    /** Bits of {@link #keys}: which keys the rule has. */
    static final int K_INGRESS = 1;
    static final int K_VLAN = 1 << 1;
    static final int K_INNER_VLAN = 1 << 2;
    static final int K_ETHERTYPE = 1 << 3;
    static final int K_L2 = 1 << 4;
    static final int K_IPV4_SRC = 1 << 5;
    static final int K_IPV4_DST = 1 << 6;
    static final int K_IPV4_CLASS = 1 << 7;
    static final int K_PROTOCOL = 1 << 8;
    static final int K_SRC_PORT = 1 << 9;
    static final int K_DST_PORT = 1 << 10;
    static final int K_NLB = 1 << 11;
    static final int K_FRAGMENT = 1 << 12;
    static final int K_MALFORMED = 1 << 13;
    /** Implied by every IPv4 key: the frame must be decoded IPv4. */
    static final int K_IPV4 = 1 << 14;
    /** Implied by the port keys: the frame must carry UDP/TCP ports. */
    static final int K_PORTS = 1 << 15;
    /** An ingress rule compiled without port names: matches nothing. */
    static final int K_NEVER = 1 << 16;

    private static final int VLAN_WORDS = 4096 / 64;

    final int keys;
    final long[] ingress;
    final long[] vlan;
    final boolean vlanUntagged;
    final long[] innerVlan;
    final boolean innerVlanUntagged;
    final int[] etherTypes;
    final int l2Mask;
    final int[] srcNetwork;
    final int[] srcMask;
    final int[] dstNetwork;
    final int[] dstMask;
    final int ipv4ClassMask;
    final long[] protocols;
    final int[] srcPortFirst;
    final int[] srcPortLast;
    final int[] dstPortFirst;
    final int[] dstPortLast;
    final int nlbMask;
    final int fragmentMask;
    final boolean malformed;

    CompiledMatch(Match m, List<String> portNames) {
        int k = 0;
        long[] ingressBits = new long[0];
        if (!m.ingress().isEmpty()) {
            k |= K_INGRESS;
            if (portNames == null) {
                k |= K_NEVER;
            } else {
                ingressBits = new long[Math.max(1, (portNames.size() + 63) / 64)];
                for (PortRef p : m.ingress()) {
                    int index = portNames.indexOf(p.name());
                    if (index < 0) {
                        throw new ConfigException(p.position(), "unknown port '" + p.name() + "'; "
                                + (portNames.isEmpty() ? "the bridge has no ports"
                                        : "the bridge's ports are " + String.join(", ", portNames)));
                    }
                    ingressBits[index >>> 6] |= 1L << index;
                }
            }
        }
        ingress = ingressBits;
        if (!m.vlan().isAny()) {
            k |= K_VLAN;
        }
        vlan = vlanBits(m.vlan());
        vlanUntagged = m.vlan().untagged();
        if (!m.innerVlan().isAny()) {
            k |= K_INNER_VLAN;
        }
        innerVlan = vlanBits(m.innerVlan());
        innerVlanUntagged = m.innerVlan().untagged();
        etherTypes = m.etherTypes().stream().mapToInt(Integer::intValue).toArray();
        if (etherTypes.length > 0) {
            k |= K_ETHERTYPE;
        }
        l2Mask = mask(m.l2Destination());
        if (l2Mask != 0) {
            k |= K_L2;
        }
        srcNetwork = m.ipv4Source().stream().mapToInt(Ipv4Prefix::network).toArray();
        srcMask = m.ipv4Source().stream().mapToInt(p -> Ipv4.mask(p.length())).toArray();
        if (srcNetwork.length > 0) {
            k |= K_IPV4_SRC | K_IPV4;
        }
        dstNetwork = m.ipv4Destination().stream().mapToInt(Ipv4Prefix::network).toArray();
        dstMask = m.ipv4Destination().stream().mapToInt(p -> Ipv4.mask(p.length()))
                .toArray();
        if (dstNetwork.length > 0) {
            k |= K_IPV4_DST | K_IPV4;
        }
        ipv4ClassMask = mask(m.ipv4DestinationClass());
        if (ipv4ClassMask != 0) {
            k |= K_IPV4_CLASS | K_IPV4;
        }
        protocols = new long[4];
        for (int p : m.ipProtocols()) {
            protocols[p >>> 6] |= 1L << p;
        }
        if (!m.ipProtocols().isEmpty()) {
            k |= K_PROTOCOL | K_IPV4;
        }
        srcPortFirst = m.sourcePorts().stream().mapToInt(IntRange::first).toArray();
        srcPortLast = m.sourcePorts().stream().mapToInt(IntRange::last).toArray();
        if (srcPortFirst.length > 0) {
            k |= K_SRC_PORT | K_PORTS | K_IPV4;
        }
        dstPortFirst = m.destinationPorts().stream().mapToInt(IntRange::first).toArray();
        dstPortLast = m.destinationPorts().stream().mapToInt(IntRange::last).toArray();
        if (dstPortFirst.length > 0) {
            k |= K_DST_PORT | K_PORTS | K_IPV4;
        }
        nlbMask = mask(m.nlb());
        if (nlbMask != 0) {
            k |= K_NLB;
        }
        fragmentMask = mask(m.fragment());
        if (fragmentMask != 0) {
            k |= K_FRAGMENT | K_IPV4;
        }
        if (m.malformed() != null) {
            k |= K_MALFORMED;
            malformed = m.malformed();
        } else {
            malformed = false;
        }
        keys = k;
    }

    private static long[] vlanBits(VlanSelector s) {
        long[] bits = new long[VLAN_WORDS];
        for (IntRange r : s.vids()) {
            for (int v = r.first(); v <= r.last(); v++) {
                bits[v >>> 6] |= 1L << v;
            }
        }
        return bits;
    }

    private static int mask(Set<? extends Enum<?>> values) {
        int mask = 0;
        for (Enum<?> e : values) {
            mask |= 1 << e.ordinal();
        }
        return mask;
    }
}
