package org.quietbridge.rules;

import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;

import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.FrameView;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.Ipv4Class;
import org.quietbridge.frame.Ipv4Prefix;
import org.quietbridge.frame.L2Class;
import org.quietbridge.frame.NlbMac;

/**
 * What a rule matches: a conjunction over keys, each an alternative of values (AND across keys,
 * OR within a key). A key that is absent does not restrict: an empty list or set,
 * {@link VlanSelector#ANY}, or a {@code null} {@link #malformed()}. {@link #ANY} matches every
 * frame.
 *
 * <p>Immutable and canonical: ranges are sorted and merged, numbers and prefixes sorted and
 * de-duplicated, so two matches that mean the same thing print the same {@link #describe()}.
 *
 * @param ingress ports the frame must arrive on
 * @param vlan VIDs of the outermost tag ({@link FrameView#vlanId()}), and/or untagged
 * @param innerVlan VIDs of the innermost tag ({@link FrameView#innerVlanId()}), and/or untagged
 * @param etherTypes EtherTypes after the tags; {@link FrameView#ETHERTYPE_8023} for 802.3/LLC
 * @param l2Destination classes of the destination MAC
 * @param ipv4Source prefixes the IPv4 source must fall in
 * @param ipv4Destination prefixes the IPv4 destination must fall in
 * @param ipv4DestinationClass classes of the IPv4 destination (under the rule set's subnets)
 * @param ipProtocols IPv4 protocol numbers
 * @param sourcePorts UDP/TCP source port ranges
 * @param destinationPorts UDP/TCP destination port ranges
 * @param nlb NLB forms of the destination MAC
 * @param fragment fragment positions of an IPv4 packet
 * @param malformed whether the frame must be malformed; {@code null} for either
 */
public record Match(
        List<PortRef> ingress,
        VlanSelector vlan,
        VlanSelector innerVlan,
        List<Integer> etherTypes,
        Set<L2Class> l2Destination,
        List<Ipv4Prefix> ipv4Source,
        List<Ipv4Prefix> ipv4Destination,
        Set<Ipv4Class> ipv4DestinationClass,
        List<Integer> ipProtocols,
        List<IntRange> sourcePorts,
        List<IntRange> destinationPorts,
        Set<NlbMac> nlb,
        Set<Fragment> fragment,
        Boolean malformed) {

    /** Matches every frame. */
    public static final Match ANY = new Match(List.of(), VlanSelector.ANY, VlanSelector.ANY, List.of(), Set.of(),
            List.of(), List.of(), Set.of(), List.of(), List.of(), List.of(), Set.of(), Set.of(), null);

    /** Names of the IP protocols the YAML accepts as words. */
    static final Map<String, Integer> PROTOCOL_NAMES = orderedMap(
            new String[] {"icmp", "igmp", "tcp", "udp"},
            new int[] {Ipv4.PROTOCOL_ICMP, Ipv4.PROTOCOL_IGMP, Ipv4.PROTOCOL_TCP, Ipv4.PROTOCOL_UDP});
    /** Names of the EtherTypes the YAML accepts as words. */
    static final Map<String, Integer> ETHERTYPE_NAMES = orderedMap(
            new String[] {"ipv4", "arp", "ipv6", "llc"},
            new int[] {Ethernet.ETHERTYPE_IPV4, Ethernet.ETHERTYPE_ARP, Ethernet.ETHERTYPE_IPV6, FrameView.ETHERTYPE_8023});

    private static final Comparator<Ipv4Prefix> PREFIX_ORDER = Comparator
            .comparingLong((Ipv4Prefix p) -> p.network() & 0xFFFF_FFFFL).thenComparingInt(Ipv4Prefix::length);

    public Match {
        ingress = distinctByName(ingress);
        vlan = vlan == null ? VlanSelector.ANY : vlan;
        innerVlan = innerVlan == null ? VlanSelector.ANY : innerVlan;
        etherTypes = sortedDistinct(etherTypes);
        l2Destination = enumSet(l2Destination, L2Class.class);
        ipv4Source = sortedPrefixes(ipv4Source);
        ipv4Destination = sortedPrefixes(ipv4Destination);
        ipv4DestinationClass = enumSet(ipv4DestinationClass, Ipv4Class.class);
        ipProtocols = sortedDistinct(ipProtocols);
        sourcePorts = IntRanges.normalize(sourcePorts == null ? List.of() : sourcePorts);
        destinationPorts = IntRanges.normalize(destinationPorts == null ? List.of() : destinationPorts);
        nlb = enumSet(nlb, NlbMac.class);
        fragment = enumSet(fragment, Fragment.class);
        for (int p : ipProtocols) {
            check(p >= 0 && p <= 255, "IP protocol numbers are 0..255: " + p);
        }
        for (int t : etherTypes) {
            check(t == FrameView.ETHERTYPE_8023 || (t >= Ethernet.MIN_ETHERTYPE && t <= 0xFFFF),
                    "EtherTypes are 0x0600..0xffff: " + t);
        }
        for (IntRange r : sourcePorts) {
            check(r.first() >= 0 && r.last() <= 0xFFFF, "ports are 0..65535: " + r);
        }
        for (IntRange r : destinationPorts) {
            check(r.first() >= 0 && r.last() <= 0xFFFF, "ports are 0..65535: " + r);
        }
    }

    /** True when no key restricts: every frame matches. */
    public boolean matchesEverything() {
        return ingress.isEmpty() && vlan.isAny() && innerVlan.isAny() && etherTypes.isEmpty() && l2Destination.isEmpty()
                && nlb.isEmpty() && malformed == null && !requiresIpv4();
    }

    /**
     * True when a key needs a decoded IPv4 header (any ipv4_* key, ip_protocol, ports,
     * fragment): such a match never matches ARP, IPv6, or a malformed IPv4 header.
     */
    public boolean requiresIpv4() {
        return !ipv4Source.isEmpty() || !ipv4Destination.isEmpty() || !ipv4DestinationClass.isEmpty()
                || !ipProtocols.isEmpty() || requiresPorts() || !fragment.isEmpty();
    }

    /** True when a port key needs decoded UDP/TCP ports ({@link FrameView#hasPorts()}). */
    public boolean requiresPorts() {
        return !sourcePorts.isEmpty() || !destinationPorts.isEmpty();
    }

    /**
     * A compact one-line text, keys in a fixed order, such as
     * {@code udp dst_port 137-138 l2_dst broadcast,multicast}; {@code any} for {@link #ANY}. It
     * names every restriction, so it also serves as the canonical form of the match.
     */
    public String describe() {
        StringJoiner out = new StringJoiner(" ");
        if (!ingress.isEmpty()) {
            StringJoiner j = new StringJoiner(",");
            ingress.forEach(p -> j.add(p.name()));
            out.add("ingress " + j);
        }
        if (!vlan.isAny()) {
            out.add("vlan " + vlan);
        }
        if (!innerVlan.isAny()) {
            out.add("inner_vlan " + innerVlan);
        }
        if (!etherTypes.isEmpty()) {
            StringJoiner j = new StringJoiner(",");
            etherTypes.forEach(t -> j.add(etherTypeName(t)));
            out.add("ethertype " + j);
        }
        if (!ipProtocols.isEmpty()) {
            if (ipProtocols.size() == 1 && protocolName(ipProtocols.getFirst()) != null) {
                out.add(protocolName(ipProtocols.getFirst()));
            } else {
                StringJoiner j = new StringJoiner(",");
                ipProtocols.forEach(p -> j.add(protocolName(p) == null ? Integer.toString(p) : protocolName(p)));
                out.add("ip_protocol " + j);
            }
        }
        if (!ipv4Source.isEmpty()) {
            out.add("ipv4_src " + joinPrefixes(ipv4Source));
        }
        if (!ipv4Destination.isEmpty()) {
            out.add("ipv4_dst " + joinPrefixes(ipv4Destination));
        }
        if (!sourcePorts.isEmpty()) {
            out.add("src_port " + IntRanges.join(sourcePorts));
        }
        if (!destinationPorts.isEmpty()) {
            out.add("dst_port " + IntRanges.join(destinationPorts));
        }
        if (!l2Destination.isEmpty()) {
            out.add("l2_dst " + words(l2Destination));
        }
        if (!ipv4DestinationClass.isEmpty()) {
            out.add("ipv4_dst_class " + ipv4ClassWords(ipv4DestinationClass));
        }
        if (!nlb.isEmpty()) {
            out.add("nlb " + words(nlb));
        }
        if (!fragment.isEmpty()) {
            out.add("fragment " + words(fragment));
        }
        if (malformed != null) {
            out.add("malformed " + malformed);
        }
        return out.length() == 0 ? "any" : out.toString();
    }

    @Override
    public String toString() {
        return describe();
    }

    // ---- words shared with the loader ----------------------------------------------------

    /** The YAML word for an enum constant: lower case, '_' as '-'. */
    static String word(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String etherTypeName(int type) {
        for (Map.Entry<String, Integer> e : ETHERTYPE_NAMES.entrySet()) {
            if (e.getValue() == type) {
                return e.getKey();
            }
        }
        return String.format("0x%04x", type);
    }

    static String protocolName(int protocol) {
        for (Map.Entry<String, Integer> e : PROTOCOL_NAMES.entrySet()) {
            if (e.getValue() == protocol) {
                return e.getKey();
            }
        }
        return null;
    }

    private static String ipv4ClassWords(Set<Ipv4Class> classes) {
        StringJoiner j = new StringJoiner(",");
        boolean allBroadcast = classes.containsAll(
                EnumSet.of(Ipv4Class.LIMITED_BROADCAST, Ipv4Class.DIRECTED_BROADCAST, Ipv4Class.ALL_ONES_HOST));
        if (allBroadcast) {
            j.add("broadcast");
        }
        for (Ipv4Class c : classes) {
            if (!(allBroadcast && c.isBroadcast())) {
                j.add(word(c));
            }
        }
        return j.toString();
    }

    private static String words(Collection<? extends Enum<?>> values) {
        StringJoiner j = new StringJoiner(",");
        for (Enum<?> e : values) {
            j.add(word(e));
        }
        return j.toString();
    }

    private static String joinPrefixes(List<Ipv4Prefix> prefixes) {
        StringJoiner j = new StringJoiner(",");
        for (Ipv4Prefix p : prefixes) {
            j.add(p.toString());
        }
        return j.toString();
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static List<PortRef> distinctByName(List<PortRef> ports) {
        if (ports == null) {
            return List.of();
        }
        Map<String, PortRef> byName = new LinkedHashMap<>();
        for (PortRef p : ports) {
            byName.putIfAbsent(p.name(), p);
        }
        return List.copyOf(byName.values());
    }

    private static List<Integer> sortedDistinct(List<Integer> values) {
        return values == null ? List.of() : List.copyOf(new TreeSet<>(values));
    }

    private static List<Ipv4Prefix> sortedPrefixes(List<Ipv4Prefix> prefixes) {
        if (prefixes == null) {
            return List.of();
        }
        TreeSet<Ipv4Prefix> set = new TreeSet<>(PREFIX_ORDER);
        set.addAll(prefixes);
        return List.copyOf(set);
    }

    private static <E extends Enum<E>> Set<E> enumSet(Set<E> values, Class<E> type) {
        EnumSet<E> set = EnumSet.noneOf(type);
        if (values != null) {
            set.addAll(values);
        }
        // Set.copyOf would lose the declaration order that describe() relies on.
        return Collections.unmodifiableSet(set);
    }

    private static Map<String, Integer> orderedMap(String[] names, int[] values) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], values[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** All keys a match accepts, in the order {@link #describe()} and messages use. */
    static final List<String> KEYS = List.of("ingress", "vlan", "inner_vlan", "ethertype", "l2_dst", "ipv4_src",
            "ipv4_dst", "ipv4_dst_class", "ip_protocol", "src_port", "dst_port", "nlb", "fragment", "malformed");
}
