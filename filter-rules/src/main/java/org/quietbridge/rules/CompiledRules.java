package org.quietbridge.rules;

import static org.quietbridge.rules.CompiledMatch.K_DST_PORT;
import static org.quietbridge.rules.CompiledMatch.K_ETHERTYPE;
import static org.quietbridge.rules.CompiledMatch.K_FRAGMENT;
import static org.quietbridge.rules.CompiledMatch.K_INGRESS;
import static org.quietbridge.rules.CompiledMatch.K_INNER_VLAN;
import static org.quietbridge.rules.CompiledMatch.K_IPV4;
import static org.quietbridge.rules.CompiledMatch.K_IPV4_CLASS;
import static org.quietbridge.rules.CompiledMatch.K_IPV4_DST;
import static org.quietbridge.rules.CompiledMatch.K_IPV4_SRC;
import static org.quietbridge.rules.CompiledMatch.K_L2;
import static org.quietbridge.rules.CompiledMatch.K_MALFORMED;
import static org.quietbridge.rules.CompiledMatch.K_NEVER;
import static org.quietbridge.rules.CompiledMatch.K_NLB;
import static org.quietbridge.rules.CompiledMatch.K_PORTS;
import static org.quietbridge.rules.CompiledMatch.K_PROTOCOL;
import static org.quietbridge.rules.CompiledMatch.K_SRC_PORT;
import static org.quietbridge.rules.CompiledMatch.K_VLAN;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import org.quietbridge.frame.FrameView;
import org.quietbridge.frame.Ipv4Prefix;
import org.quietbridge.frame.Ipv4Subnets;

/**
 * A {@link RuleSet} compiled for the data plane: immutable rule logic in primitive arrays, plus
 * one hit counter per rule.
 *
 * <p>{@link #evaluate} allocates nothing: each rule's keys are bit sets (VLANs, IP protocols),
 * bit masks over enum ordinals (L2 class, IPv4 class, NLB form, fragment position) and sorted
 * int arrays (port ranges, prefixes as network and mask); a bit per present key lets absent keys
 * cost nothing; the IPv4 destination class is computed at most once per frame.
 *
 * <p>Threads: {@link #evaluate} is meant for one thread at a time (the data-plane agent, or
 * {@code explain}); it alone writes the hit counters. {@link #hits} may be read from any thread:
 * counters are written with {@link VarHandle#setOpaque} and read with {@link VarHandle#getOpaque},
 * which makes each read see a whole, recent value (no torn longs) without fences in the hot path.
 */
public final class CompiledRules {
    /** {@link #evaluate} found no rule: the frame is forwarded. */
    public static final int NO_MATCH = -1;

    private static final VarHandle HITS = MethodHandles.arrayElementVarHandle(long[].class);

    // One bit per key a rule uses; a rule checks only its own keys.

    private final RuleSet ruleSet;
    private final Ipv4Subnets subnets;
    private final CompiledMatch[] matches;
    private final Action[] actions;
    private final Action[] effective;
    private final boolean[] drops;
    private final String[] names;
    private final String[] descriptions;
    private final long[] hits;
    private final String canonicalText;
    private final String digest;

    private CompiledRules(RuleSet ruleSet, CompiledMatch[] matches) {
        this.ruleSet = ruleSet;
        this.subnets = Ipv4Subnets.of(ruleSet.subnets());
        this.matches = matches;
        int n = matches.length;
        List<Rule> rules = ruleSet.rules();
        this.actions = new Action[n];
        this.effective = new Action[n];
        this.drops = new boolean[n];
        this.names = new String[n];
        this.hits = new long[n];
        int nameWidth = 20;
        int actionWidth = 6;
        for (int i = 0; i < n; i++) {
            Rule r = rules.get(i);
            names[i] = r.name();
            actions[i] = r.action();
            effective[i] = ruleSet.mode() == Mode.MONITOR && r.action() == Action.DROP ? Action.COUNT : r.action();
            drops[i] = effective[i] == Action.DROP;
            nameWidth = Math.max(nameWidth, r.name().length());
            actionWidth = Math.max(actionWidth, effective[i].word().length());
        }
        this.descriptions = new String[n];
        for (int i = 0; i < n; i++) {
            descriptions[i] = String.format("%3d %-" + (nameWidth + 2) + "s %-" + actionWidth + "s %s", i + 1,
                    names[i], effective[i].word(), rules.get(i).match().describe());
        }
        this.canonicalText = canonicalText(ruleSet);
        this.digest = Sha256.hex(canonicalText);
    }

    /**
     * Compiles a rule set.
     *
     * @param portNames the bridge's ports; the index of a name is the {@code ingressPort} that
     *     {@link #evaluate} takes. A rule naming a port not in the list is an error at the name's
     *     position. {@code null} when there are no ports (as for {@code check}): names are not
     *     checked and rules with {@code ingress} match nothing.
     * @throws ConfigException for an unknown port name
     */
    public static CompiledRules compile(RuleSet rs, List<String> portNames) {
        List<Rule> rules = rs.rules();
        CompiledMatch[] matches = new CompiledMatch[rules.size()];
        for (int i = 0; i < matches.length; i++) {
            matches[i] = new CompiledMatch(rules.get(i).match(), portNames);
        }
        return new CompiledRules(rs, matches);
    }

    /**
     * The first rule that matches the frame, or {@link #NO_MATCH} (-1: forward). Counts a hit on
     * that rule. Allocates nothing.
     *
     * @param ingressPort index of the arrival port in the compile-time port list
     */
    public int evaluate(FrameView frame, int ingressPort) {
        return evaluate(frame, ingressPort, 1);
    }

    /**
     * {@link #evaluate(FrameView, int)} for a frame that stands for {@code frames} wire frames (a GSO
     * super-frame: its segments share its headers, so one decision serves them all), counted as that many
     * hits.
     */
    public int evaluate(FrameView frame, int ingressPort, int frames) {
        final CompiledMatch[] ms = matches;
        int ipv4ClassBit = 0; // computed on first use: 1 << Ipv4Class.ordinal()
        for (int i = 0; i < ms.length; i++) {
            final CompiledMatch m = ms[i];
            final int k = m.keys;
            if (k != 0) {
                if ((k & K_NEVER) != 0) {
                    continue;
                }
                if ((k & K_INGRESS) != 0 && !bit(m.ingress, ingressPort)) {
                    continue;
                }
                if ((k & K_IPV4) != 0 && !frame.ipv4()) {
                    continue;
                }
                if ((k & K_PROTOCOL) != 0 && !bit(m.protocols, frame.ipProtocol())) {
                    continue;
                }
                if ((k & K_PORTS) != 0 && !frame.hasPorts()) {
                    continue;
                }
                if ((k & K_DST_PORT) != 0 && !inRanges(m.dstPortFirst, m.dstPortLast, frame.destinationPort())) {
                    continue;
                }
                if ((k & K_SRC_PORT) != 0 && !inRanges(m.srcPortFirst, m.srcPortLast, frame.sourcePort())) {
                    continue;
                }
                if ((k & K_L2) != 0 && (m.l2Mask & (1 << frame.l2Class().ordinal())) == 0) {
                    continue;
                }
                if ((k & K_VLAN) != 0 && !vlanMatches(m.vlan, m.vlanUntagged, frame.vlanId())) {
                    continue;
                }
                if ((k & K_INNER_VLAN) != 0 && !vlanMatches(m.innerVlan, m.innerVlanUntagged, frame.innerVlanId())) {
                    continue;
                }
                if ((k & K_ETHERTYPE) != 0 && !contains(m.etherTypes, frame.etherType())) {
                    continue;
                }
                if ((k & K_IPV4_DST) != 0 && !inPrefixes(m.dstNetwork, m.dstMask, frame.ipv4Destination())) {
                    continue;
                }
                if ((k & K_IPV4_SRC) != 0 && !inPrefixes(m.srcNetwork, m.srcMask, frame.ipv4Source())) {
                    continue;
                }
                if ((k & K_IPV4_CLASS) != 0) {
                    if (ipv4ClassBit == 0) {
                        // Non-null: K_IPV4_CLASS implies K_IPV4, checked above.
                        ipv4ClassBit = 1 << frame.ipv4DestinationClass(subnets).ordinal();
                    }
                    if ((m.ipv4ClassMask & ipv4ClassBit) == 0) {
                        continue;
                    }
                }
                if ((k & K_NLB) != 0 && (m.nlbMask & (1 << frame.nlbDestination().ordinal())) == 0) {
                    continue;
                }
                if ((k & K_FRAGMENT) != 0 && (m.fragmentMask & fragmentBit(frame)) == 0) {
                    continue;
                }
                if ((k & K_MALFORMED) != 0 && m.malformed != frame.malformed()) {
                    continue;
                }
            }
            HITS.setOpaque(hits, i, hits[i] + frames);
            return i;
        }
        return NO_MATCH;
    }

    private static boolean bit(long[] bits, int index) {
        return index >= 0 && (index >>> 6) < bits.length && (bits[index >>> 6] & (1L << index)) != 0;
    }

    private static boolean vlanMatches(long[] vids, boolean untagged, int vid) {
        return vid < 0 ? untagged : (vids[vid >>> 6] & (1L << vid)) != 0;
    }

    private static boolean inRanges(int[] first, int[] last, int value) {
        // Sorted and disjoint: stop at the first range that starts beyond the value.
        for (int i = 0; i < first.length && first[i] <= value; i++) {
            if (value <= last[i]) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }

    private static boolean inPrefixes(int[] network, int[] mask, int address) {
        for (int i = 0; i < network.length; i++) {
            if ((address & mask[i]) == network[i]) {
                return true;
            }
        }
        return false;
    }

    private static int fragmentBit(FrameView frame) {
        if (frame.nonFirstFragment()) {
            return 1 << Fragment.LATER.ordinal();
        }
        return frame.firstFragment() ? 1 << Fragment.FIRST.ordinal() : 1 << Fragment.UNFRAGMENTED.ordinal();
    }

    /**
     * Counts {@code frames} hits on a rule the caller matched by other evidence: the later fragments of a
     * datagram whose first fragment the rule dropped (they carry no ports to match). The thread of
     * {@link #evaluate}; allocates nothing.
     */
    public void countHit(int ruleIndex, int frames) {
        HITS.setOpaque(hits, ruleIndex, hits[ruleIndex] + frames);
    }

    // ---- verdicts and reports ----------------------------------------------------------------

    /** True when the rule's effective action is {@link Action#DROP}; false for {@link #NO_MATCH}. */
    public boolean drops(int ruleIndex) {
        return ruleIndex >= 0 && drops[ruleIndex];
    }

    /** The action the rule was written with. */
    public Action action(int ruleIndex) {
        return actions[ruleIndex];
    }

    /** The action taken: as written, except that a drop is a count in {@link Mode#MONITOR}. */
    public Action effectiveAction(int ruleIndex) {
        return effective[ruleIndex];
    }

    public int size() {
        return matches.length;
    }

    public String name(int ruleIndex) {
        return names[ruleIndex];
    }

    /** Frames that matched the rule so far; safe to call from any thread. */
    public long hits(int ruleIndex) {
        return (long) HITS.getOpaque(hits, ruleIndex);
    }

    /**
     * One aligned line per rule: number, name, effective action, match, such as
     * {@code   1 netbios-broadcast-l2   drop   udp dst_port 137-138 l2_dst broadcast,multicast}.
     */
    public String describe(int ruleIndex) {
        return descriptions[ruleIndex];
    }

    public Mode mode() {
        return ruleSet.mode();
    }

    /** The subnets {@code ipv4_dst_class} classifies directed broadcasts against. */
    public Ipv4Subnets subnets() {
        return subnets;
    }

    public RuleSet ruleSet() {
        return ruleSet;
    }

    /**
     * The text {@link #digest()} hashes: mode, subnets, and per rule its name, action and
     * canonical match, one per line. Positions and comments are not part of it.
     */
    public String canonicalText() {
        return canonicalText;
    }

    /** SHA-256 (lower-case hex) of {@link #canonicalText()}: equal for rule sets that act alike. */
    public String digest() {
        return digest;
    }

    /**
     * Copies the hit counts of {@code previous}'s rules into this set's rules of the same name,
     * so counters survive a reload. Call before this set is published to the data plane; hits the
     * data plane counts on {@code previous} after the copy are not carried.
     */
    public void carryOverHits(CompiledRules previous) {
        Map<String, Integer> byName = new HashMap<>();
        for (int j = 0; j < previous.size(); j++) {
            byName.put(previous.name(j), j);
        }
        for (int i = 0; i < names.length; i++) {
            Integer j = byName.get(names[i]);
            if (j != null) {
                HITS.setRelease(hits, i, previous.hits(j));
            }
        }
    }

    private static String canonicalText(RuleSet rs) {
        StringBuilder sb = new StringBuilder("quietbridge-rules 1\n");
        sb.append("mode ").append(rs.mode().word()).append('\n');
        StringJoiner subnetText = new StringJoiner(",");
        for (Ipv4Prefix p : rs.subnets()) {
            subnetText.add(p.toString());
        }
        sb.append("subnets ").append(subnetText).append('\n');
        for (Rule r : rs.rules()) {
            sb.append("rule ").append(r.name()).append(' ').append(r.action().word()).append(' ')
                    .append(r.match().describe()).append('\n');
        }
        return sb.toString();
    }
}
