package org.quietbridge.bridge.failover;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

import org.quietbridge.bridge.forward.LinkLocalPolicy;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.Ipv4Class;
import org.quietbridge.frame.Ipv4Prefix;
import org.quietbridge.frame.L2Class;
import org.quietbridge.rules.Action;
import org.quietbridge.rules.Fragment;
import org.quietbridge.rules.IntRange;
import org.quietbridge.rules.Match;
import org.quietbridge.rules.Mode;
import org.quietbridge.rules.PortRef;
import org.quietbridge.rules.Rule;
import org.quietbridge.rules.RuleSet;

/**
 * A rule set as nftables rules for the kernel's stand-in (the {@code netdev} ingress chains of
 * {@link KernelFallback}): each rule becomes one or more nft rules with the same verdict, in the same
 * order, so the first match still wins. A drop stays a drop; forward and count become the chain's
 * forward ({@code fwd to}/{@code dup to} the other ports).
 *
 * <p>What nftables can say, it says exactly: ports and IP protocols, EtherTypes, IPv4 prefixes, the
 * destination MAC's class, the IPv4 destination's class (with the classifier's precedence written out:
 * an all-ones host is not 255.255.255.255, not multicast and not a configured directed broadcast),
 * and fragment positions. What it cannot, a rule that names it is {@linkplain Carried#carried() not
 * carried}, with the reason, and {@code check} says so:
 * <ul>
 *   <li>{@code vlan} and {@code inner_vlan}: the ingress hook sees the outer tag in the skb's
 *       metadata, and nft has no safe match for "untagged" there;</li>
 *   <li>{@code nlb}: cluster MACs depend on what the bridge learned;</li>
 *   <li>{@code malformed}: the bridge's own decoder decides it;</li>
 *   <li>{@code ethertype: llc} (802.3 length frames).</li>
 * </ul>
 * A rule that is not carried is left out. When it is a forward or count rule, a later drop rule could
 * then drop what it would have let through, so the drop rules after it are left out too.
 *
 * <p>In {@code mode: monitor} nothing is dropped, and the stand-in drops nothing either.
 */
public final class FallbackRules {
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_UDP = 17;
    /** One rule of the rule set, and whether the stand-in carries it. */
    public record Carried(String rule, boolean carried, String reason) {
    }

    private final List<Carried> report = new ArrayList<>();
    /** Per rule carried: its nft lines without the verdict, and its verdict. */
    private final List<Translated> translated = new ArrayList<>();
    private boolean dropLinkLocal;

    private record Translated(Rule rule, List<String> matches, boolean drop) {
    }

    private FallbackRules() {
    }

    /** Translates {@code rules}, with link-local frames forwarded; never fails, says per rule what it did. */
    public static FallbackRules of(RuleSet rules) {
        return of(rules, LinkLocalPolicy.FORWARD);
    }

    /**
     * Translates {@code rules}; with {@code link_local: drop}, IEEE 802.1D link-local frames (BPDU, LACP,
     * LLDP, EAPOL) are dropped before any rule, as the data plane drops them whatever a rule says.
     */
    public static FallbackRules of(RuleSet rules, LinkLocalPolicy linkLocal) {
        FallbackRules out = new FallbackRules();
        out.dropLinkLocal = linkLocal == LinkLocalPolicy.DROP;
        String blockedBy = null;
        for (Rule rule : rules.rules()) {
            String why = untranslatable(rule.match());
            boolean drop = rule.action() == Action.DROP && rules.mode() == Mode.ENFORCE;
            if (why == null && drop && blockedBy != null) {
                why = "it comes after " + blockedBy + ", which the stand-in cannot carry";
            }
            if (why != null) {
                out.report.add(new Carried(rule.name(), false, why));
                if (!drop) {
                    blockedBy = blockedBy == null ? rule.name() : blockedBy;
                }
                continue;
            }
            out.report.add(new Carried(rule.name(), true, drop ? "drop" : "forward"));
            out.translated.add(new Translated(rule, matches(rule.match(), rules.subnets()), drop));
        }
        return out;
    }

    /** Every rule, carried or not, in order. */
    public List<Carried> report() {
        return List.copyOf(report);
    }

    /**
     * The nft rule lines for frames that arrive on {@code port}, in order, each ending in {@code drop}
     * or in {@code forward} (the chain's forward statement), without the chain's final forward.
     */
    public List<String> lines(String port, String forward) {
        List<String> out = new ArrayList<>();
        if (dropLinkLocal) {
            out.add("ether daddr & ff:ff:ff:ff:ff:f0 == 01:80:c2:00:00:00 counter drop comment \"link_local: drop\"");
        }
        for (Translated t : translated) {
            if (!t.rule().match().ingress().isEmpty()
                    && t.rule().match().ingress().stream().map(PortRef::name).noneMatch(port::equals)) {
                continue;
            }
            for (String m : t.matches()) {
                out.add((m.isEmpty() ? "" : m + " ") + (t.drop() ? "counter drop" : forward)
                        + " comment \"" + t.rule().name() + "\"");
            }
        }
        return out;
    }

    /** Null when nftables can say the whole match; otherwise why not. */
    private static String untranslatable(Match m) {
        if (!m.vlan().isAny() || !m.innerVlan().isAny()) {
            return "vlan: the kernel's ingress hook has no safe match for tags";
        }
        if (!m.nlb().isEmpty()) {
            return "nlb: cluster MACs are what the bridge learned";
        }
        if (m.malformed() != null) {
            return "malformed: the bridge's decoder decides it";
        }
        if (m.etherTypes().contains(org.quietbridge.frame.FrameView.ETHERTYPE_8023)) {
            return "ethertype llc: 802.3 length frames";
        }
        return null;
    }

    /**
     * The match as nft expressions: one string per alternative (the rule matches when any does), the
     * product of each key's alternatives; empty when it can never match.
     */
    private static List<String> matches(Match m, List<Ipv4Prefix> subnets) {
        List<String> alternatives = List.of("");
        alternatives = and(alternatives, etherTypes(m));
        alternatives = and(alternatives, l2(m.l2Destination()));
        if (m.requiresIpv4()) {
            alternatives = and(alternatives, List.of("meta protocol ip"));
        }
        if (!m.ipProtocols().isEmpty() && !m.requiresPorts()) {
            alternatives = and(alternatives, List.of("ip protocol " + set(m.ipProtocols().stream()
                    .map(String::valueOf).toList())));
        }
        if (!m.ipv4Source().isEmpty()) {
            alternatives = and(alternatives, List.of("ip saddr " + prefixes(m.ipv4Source())));
        }
        if (!m.ipv4Destination().isEmpty()) {
            alternatives = and(alternatives, List.of("ip daddr " + prefixes(m.ipv4Destination())));
        }
        alternatives = and(alternatives, ipv4Classes(m.ipv4DestinationClass(), subnets));
        alternatives = and(alternatives, fragments(m.fragment()));
        if (m.requiresPorts()) {
            // Ports are TCP's and UDP's only, as the bridge's decoder reads them (FrameView.hasPorts): another
            // protocol a rule names with ports never matches (nft's th would read its bytes 0-3 as ports).
            List<String> withPorts = m.ipProtocols().isEmpty() ? List.of("tcp", "udp") : m.ipProtocols().stream()
                    .filter(p -> p == IPPROTO_TCP || p == IPPROTO_UDP).map(String::valueOf).toList();
            if (withPorts.isEmpty()) {
                return List.of();
            }
            String protocols = "meta l4proto " + set(withPorts);
            StringBuilder ports = new StringBuilder(protocols);
            if (!m.sourcePorts().isEmpty()) {
                ports.append(" th sport ").append(ranges(m.sourcePorts()));
            }
            if (!m.destinationPorts().isEmpty()) {
                ports.append(" th dport ").append(ranges(m.destinationPorts()));
            }
            alternatives = and(alternatives, List.of(ports.toString()));
        }
        return alternatives;
    }

    /** Every alternative of {@code left} with every one of {@code right}; null right: no restriction. */
    private static List<String> and(List<String> left, List<String> right) {
        if (right == null) {
            return left;
        }
        List<String> out = new ArrayList<>();
        for (String l : left) {
            for (String r : right) {
                out.add(l.isEmpty() ? r : l + " " + r);
            }
        }
        return out;
    }

    private static List<String> etherTypes(Match m) {
        if (m.etherTypes().isEmpty()) {
            return null;
        }
        return List.of("meta protocol " + set(m.etherTypes().stream().map(t -> String.format("0x%04x", t)).toList()));
    }

    private static List<String> l2(Set<L2Class> classes) {
        if (classes.isEmpty() || classes.size() == L2Class.values().length) {
            return null;
        }
        String group = "ether daddr & 01:00:00:00:00:00 == 01:00:00:00:00:00";
        String broadcast = "ether daddr " + Ethernet.formatMac(Ethernet.BROADCAST_MAC);
        List<String> out = new ArrayList<>();
        if (classes.contains(L2Class.BROADCAST) && classes.contains(L2Class.MULTICAST)) {
            out.add(group);
        } else if (classes.contains(L2Class.BROADCAST)) {
            out.add(broadcast);
        } else if (classes.contains(L2Class.MULTICAST)) {
            out.add(group + " ether daddr != " + Ethernet.formatMac(Ethernet.BROADCAST_MAC));
        }
        if (classes.contains(L2Class.UNICAST)) {
            out.add("ether daddr & 01:00:00:00:00:00 == 00:00:00:00:00:00");
        }
        return out;
    }

    /**
     * One alternative per class, each excluding the classes that take precedence over it; none (the rule
     * never matches) when only directed broadcasts are asked for and no subnet is configured.
     */
    private static List<String> ipv4Classes(Set<Ipv4Class> classes, List<Ipv4Prefix> subnets) {
        if (classes.isEmpty()) {
            return null;
        }
        String limited = "255.255.255.255";
        String multicast = "224.0.0.0/4";
        List<String> directed = subnets.stream().filter(p -> p.length() < 31)
                .map(p -> Ipv4.format(p.network() | (int) (0xFFFF_FFFFL >>> p.length()))).toList();
        String notDirected = directed.isEmpty() ? "" : " ip daddr != " + set(directed);
        String allOnes = "ip daddr & 0.0.0.255 == 0.0.0.255";
        List<String> out = new ArrayList<>();
        for (Ipv4Class c : classes) {
            switch (c) {
                case LIMITED_BROADCAST -> out.add("ip daddr " + limited);
                case MULTICAST -> out.add("ip daddr " + multicast);
                case DIRECTED_BROADCAST -> {
                    if (!directed.isEmpty()) {
                        out.add("ip daddr " + set(directed) + " ip daddr != " + multicast);
                    }
                }
                case ALL_ONES_HOST -> out.add(allOnes + " ip daddr != " + limited + " ip daddr != " + multicast
                        + notDirected);
                case UNICAST -> out.add("ip daddr != " + limited + " ip daddr != " + multicast
                        + " ip daddr & 0.0.0.255 != 0.0.0.255" + notDirected);
            }
        }
        return out;
    }

    private static List<String> fragments(Set<Fragment> positions) {
        if (positions.isEmpty() || positions.size() == Fragment.values().length) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Fragment f : positions) {
            out.add(switch (f) {
                case UNFRAGMENTED -> "ip frag-off & 0x3fff == 0";
                case FIRST -> "ip frag-off & 0x3fff == 0x2000";
                case LATER -> "ip frag-off & 0x1fff != 0";
            });
        }
        return out;
    }

    private static String prefixes(List<Ipv4Prefix> prefixes) {
        return set(prefixes.stream().map(p -> Ipv4.format(p.network()) + "/" + p.length()).toList());
    }

    private static String ranges(List<IntRange> ranges) {
        return set(ranges.stream().map(r -> r.first() == r.last() ? Integer.toString(r.first())
                : r.first() + "-" + r.last()).toList());
    }

    private static String set(List<String> values) {
        if (values.size() == 1) {
            return values.getFirst();
        }
        StringJoiner j = new StringJoiner(", ", "{ ", " }");
        values.forEach(j::add);
        return j.toString();
    }
}
