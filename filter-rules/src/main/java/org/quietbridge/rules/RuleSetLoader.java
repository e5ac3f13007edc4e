package org.quietbridge.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.Ipv4Class;
import org.quietbridge.frame.Ipv4Prefix;
import org.quietbridge.frame.L2Class;
import org.quietbridge.frame.NlbMac;

/**
 * Reads a {@link RuleSet} from YAML.
 *
 * <pre>{@code
 * mode: enforce                  # or monitor: every drop becomes a count
 * subnets: [10.8.0.0/16]         # for ipv4_dst_class directed-broadcast
 * rules:                         # ordered; first match wins; no match forwards
 *   - name: netbios-broadcast-l2
 *     match: {ip_protocol: udp, dst_port: [137, 138], l2_dst: [broadcast, multicast]}
 *     action: drop               # drop | forward | count
 * }</pre>
 *
 * Without a {@code rules:} key the shipped default rules ({@link #defaults()}) apply, under
 * the file's own mode and subnets. Every error is a {@link ConfigException} at the position of
 * the node at fault.
 */
public final class RuleSetLoader {
    /** Classpath resource of the shipped default rule set (also {@code examples/netbios-default.yaml}). */
    public static final String DEFAULT_RESOURCE = "org/quietbridge/rules/default-rules.yaml";
    /** Source name the default rules' positions carry. */
    public static final String DEFAULT_SOURCE = "default-rules.yaml";

    /** The keys this loader reads at the top level of a file. */
    public static final List<String> TOP_LEVEL_KEYS = List.of("mode", "subnets", "rules");
    static final List<String> RULE_KEYS = List.of("name", "match", "action");

    private static final Pattern RULE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final List<String> CLASS_WORDS = List.of("limited-broadcast", "directed-broadcast",
            "all-ones-host", "multicast", "unicast", "broadcast");

    private RuleSetLoader() {
    }

    /** Loads a rule-set file; no top-level keys besides mode, subnets and rules. */
    public static RuleSet load(Path file) {
        return read(YamlDocument.load(file), Set.of());
    }

    /** Parses rule-set text; {@code sourceName} is what errors call it. */
    public static RuleSet parse(String sourceName, String yaml) {
        return read(YamlDocument.parse(sourceName, yaml), Set.of());
    }

    /** The shipped default rule set (Princeton OIT's NetBIOS filter), in enforce mode. */
    public static RuleSet defaults() {
        return Defaults.RULE_SET;
    }

    /** The text of the shipped default rule set file (for {@code check --show-defaults} and the like). */
    public static String defaultsText() {
        try (InputStream in = RuleSetLoader.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + DEFAULT_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parsed once, on first use. */
    private static final class Defaults {
        static final RuleSet RULE_SET;

        static {
            RuleSet parsed = parse(DEFAULT_SOURCE, defaultsText());
            RULE_SET = new RuleSet(DEFAULT_SOURCE, parsed.mode(), parsed.subnets(), parsed.rules(), true);
        }
    }

    /**
     * Reads {@code mode}, {@code subnets} and {@code rules} from a document's top-level mapping.
     * A bigger configuration (the bridge's) names its own keys in {@code extraTopLevelKeys}: they
     * are allowed and left to the caller; any other key is an error.
     */
    public static RuleSet read(YamlDocument doc, Set<String> extraTopLevelKeys) {
        ConfigNode root = doc.root();
        Mode mode = Mode.ENFORCE;
        List<Ipv4Prefix> subnets = List.of();
        if (root.isNull()) {
            return new RuleSet(doc.source(), mode, subnets, defaults().rules(), true);
        }
        root.expectMapping("the top level of the file");
        List<String> allowed = new ArrayList<>(TOP_LEVEL_KEYS);
        allowed.addAll(new TreeSet<>(extraTopLevelKeys));
        root.checkKeys("at the top level", allowed);

        ConfigNode modeNode = root.get("mode");
        if (modeNode != null) {
            mode = Mode.valueOf(upper(modeNode.expectWord("mode", List.of("enforce", "monitor"))));
        }
        ConfigNode subnetsNode = root.get("subnets");
        if (subnetsNode != null && !subnetsNode.isNull()) {
            List<ConfigNode> items = subnetsNode.isSequence() && subnetsNode.expectList("'subnets'").isEmpty()
                    ? List.of() : subnetsNode.expectOneOrMore("'subnets'");
            List<Ipv4Prefix> list = new ArrayList<>();
            for (ConfigNode n : items) {
                list.add(prefix(n, "subnets"));
            }
            subnets = list;
        }
        ConfigNode rulesNode = root.get("rules");
        if (rulesNode == null) {
            return new RuleSet(doc.source(), mode, subnets, defaults().rules(), true);
        }
        return new RuleSet(doc.source(), mode, subnets, rules(rulesNode), false);
    }

    private static List<Rule> rules(ConfigNode rulesNode) {
        if (rulesNode.isNull() || (rulesNode.isSequence() && rulesNode.expectList("'rules'").isEmpty())) {
            throw rulesNode.error("empty rule set: 'rules' has no rules; remove the 'rules' key to use the"
                    + " default rules, or add a rule");
        }
        List<Rule> rules = new ArrayList<>();
        Map<String, ConfigNode> names = new HashMap<>();
        for (ConfigNode r : rulesNode.expectList("'rules'")) {
            Rule rule = rule(r);
            ConfigNode nameNode = r.get("name");
            ConfigNode first = names.putIfAbsent(rule.name(), nameNode);
            if (first != null) {
                throw nameNode.error("duplicate rule name '" + rule.name() + "' (first at line "
                        + first.position().line() + "); rule names must be unique");
            }
            rules.add(rule);
        }
        return rules;
    }

    private static Rule rule(ConfigNode r) {
        if (!r.isMapping()) {
            throw r.error("each rule must be a mapping with name, match and action, not " + r.kind().description());
        }
        r.checkKeys("in rule", RULE_KEYS);
        ConfigNode nameNode = r.required("name", "rule");
        String name = nameNode.expectText("'name'").trim();
        if (!RULE_NAME.matcher(name).matches()) {
            throw nameNode.error("bad rule name '" + name + "'; use up to 64 letters, digits, '.', '_' and '-',"
                    + " starting with a letter or digit");
        }
        ConfigNode actionNode = r.required("action", "rule '" + name + "'");
        Action action = Action.valueOf(upper(actionNode.expectWord("action", List.of("drop", "forward", "count"))));
        ConfigNode matchNode = r.get("match");
        Match match = matchNode == null || matchNode.isNull() ? Match.ANY : match(matchNode);
        return new Rule(name, match, action, r.position());
    }

    private static Match match(ConfigNode m) {
        m.expectMapping("'match'");
        m.checkKeys("in match", Match.KEYS);
        List<PortRef> ingress = new ArrayList<>();
        for (ConfigNode n : list(m, "ingress")) {
            ingress.add(new PortRef(n.expectText("'ingress'").trim(), n.position()));
        }
        VlanSelector vlan = vlans(m, "vlan");
        VlanSelector innerVlan = vlans(m, "inner_vlan");
        List<Integer> etherTypes = new ArrayList<>();
        for (ConfigNode n : list(m, "ethertype")) {
            etherTypes.add(etherType(n));
        }
        Set<L2Class> l2 = EnumSet.noneOf(L2Class.class);
        for (ConfigNode n : list(m, "l2_dst")) {
            l2.add(L2Class.valueOf(upper(n.expectWord("l2_dst", List.of("unicast", "broadcast", "multicast")))));
        }
        List<Ipv4Prefix> src = new ArrayList<>();
        for (ConfigNode n : list(m, "ipv4_src")) {
            src.add(prefix(n, "ipv4_src"));
        }
        List<Ipv4Prefix> dst = new ArrayList<>();
        for (ConfigNode n : list(m, "ipv4_dst")) {
            dst.add(prefix(n, "ipv4_dst"));
        }
        Set<Ipv4Class> classes = EnumSet.noneOf(Ipv4Class.class);
        for (ConfigNode n : list(m, "ipv4_dst_class")) {
            String w = n.expectWord("ipv4_dst_class", CLASS_WORDS);
            if (w.equals("broadcast")) {
                classes.addAll(EnumSet.of(Ipv4Class.LIMITED_BROADCAST, Ipv4Class.DIRECTED_BROADCAST,
                        Ipv4Class.ALL_ONES_HOST));
            } else {
                classes.add(Ipv4Class.valueOf(upper(w)));
            }
        }
        List<Integer> protocols = new ArrayList<>();
        for (ConfigNode n : list(m, "ip_protocol")) {
            protocols.add(protocol(n));
        }
        List<IntRange> sports = new ArrayList<>();
        for (ConfigNode n : list(m, "src_port")) {
            sports.add(range(n, "src_port", "port", 0xFFFF, "ports are 0..65535", "a port 0..65535 or a range like"
                    + " 1000-2000"));
        }
        List<IntRange> dports = new ArrayList<>();
        for (ConfigNode n : list(m, "dst_port")) {
            dports.add(range(n, "dst_port", "port", 0xFFFF, "ports are 0..65535", "a port 0..65535 or a range like"
                    + " 1000-2000"));
        }
        Set<NlbMac> nlb = EnumSet.noneOf(NlbMac.class);
        for (ConfigNode n : list(m, "nlb")) {
            nlb.add(NlbMac.valueOf(upper(n.expectWord("nlb", List.of("unicast", "multicast", "igmp")))));
        }
        Set<Fragment> fragment = EnumSet.noneOf(Fragment.class);
        for (ConfigNode n : list(m, "fragment")) {
            fragment.add(Fragment.valueOf(upper(n.expectWord("fragment", List.of("unfragmented", "first", "later")))));
        }
        Boolean malformed = null;
        ConfigNode mal = m.get("malformed");
        if (mal != null) {
            malformed = mal.expectBoolean("'malformed'");
        }
        return new Match(ingress, vlan, innerVlan, etherTypes, l2, src, dst, classes, protocols, sports, dports, nlb,
                fragment, malformed);
    }

    /** The values of an optional one-or-more key; none when absent. */
    private static List<ConfigNode> list(ConfigNode m, String key) {
        ConfigNode n = m.get(key);
        return n == null ? List.of() : n.expectOneOrMore("'" + key + "'");
    }

    private static VlanSelector vlans(ConfigNode m, String key) {
        boolean untagged = false;
        List<IntRange> vids = new ArrayList<>();
        for (ConfigNode n : list(m, key)) {
            String t = n.expectText("'" + key + "'").trim();
            if (t.equalsIgnoreCase("untagged")) {
                untagged = true;
            } else {
                vids.add(range(n, key, "VLAN", VlanSelector.MAX_VID, "VLAN IDs are 0..4095",
                        "a VLAN ID 0..4095, a range like 100-199, or 'untagged'"));
            }
        }
        return untagged || !vids.isEmpty() ? new VlanSelector(untagged, vids) : VlanSelector.ANY;
    }

    /**
     * A number or an inclusive range {@code a-b} within 0..max.
     *
     * @param noun what one value is called in messages ("port", "VLAN")
     * @param limits the valid range, as messages state it
     * @param expected what a valid value looks like, as messages state it
     */
    private static IntRange range(ConfigNode n, String key, String noun, int max, String limits, String expected) {
        String t = n.expectText("'" + key + "'").trim();
        int dash = t.indexOf('-', 1);
        String a = dash < 0 ? t : t.substring(0, dash).trim();
        String b = dash < 0 ? t : t.substring(dash + 1).trim();
        long first = decimal(a);
        long last = decimal(b);
        if (first < 0 || last < 0) {
            throw n.error("bad " + noun + " '" + t + "' in " + key + "; expected " + expected);
        }
        if (first > max || last > max) {
            throw n.error(noun + " " + (first > max ? a : b) + " is out of range; " + limits);
        }
        if (first > last) {
            throw n.error("bad range '" + t + "' in " + key + ": the start is greater than the end; write " + b
                    + "-" + a);
        }
        return new IntRange((int) first, (int) last);
    }

    /** A plain decimal of at most 9 digits, or -1. */
    private static long decimal(String t) {
        if (t.isEmpty() || t.length() > 9) {
            return -1;
        }
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) < '0' || t.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(t);
    }

    private static int etherType(ConfigNode n) {
        String t = n.expectText("'ethertype'").trim();
        for (Map.Entry<String, Integer> e : Match.ETHERTYPE_NAMES.entrySet()) {
            if (e.getKey().equalsIgnoreCase(t)) {
                return e.getValue();
            }
        }
        long v = ConfigNode.parseNumber(t);
        if (v == Long.MIN_VALUE) {
            throw n.error("unknown ethertype '" + t + "'; give a number such as 0x0806 or one of: "
                    + String.join(", ", Match.ETHERTYPE_NAMES.keySet()));
        }
        if (v > 0xFFFF) {
            throw n.error("ethertype " + t + " is out of range; EtherTypes are 0x0600..0xffff");
        }
        if (v < Ethernet.MIN_ETHERTYPE) {
            throw n.error("ethertype " + t + " is an 802.3 length, not an EtherType; EtherTypes are 0x0600..0xffff"
                    + " (write hexadecimal as 0x0806; 'llc' matches 802.3 frames)");
        }
        return (int) v;
    }

    private static int protocol(ConfigNode n) {
        String t = n.expectText("'ip_protocol'").trim();
        for (Map.Entry<String, Integer> e : Match.PROTOCOL_NAMES.entrySet()) {
            if (e.getKey().equalsIgnoreCase(t)) {
                return e.getValue();
            }
        }
        long v = ConfigNode.parseNumber(t);
        if (v == Long.MIN_VALUE) {
            throw n.error("unknown ip_protocol '" + t + "'; give a number 0..255 or one of: "
                    + String.join(", ", Match.PROTOCOL_NAMES.keySet()));
        }
        if (v > 255) {
            throw n.error("IP protocol " + t + " is out of range; IP protocol numbers are 0..255");
        }
        return (int) v;
    }

    /** {@code a.b.c.d/n} or a bare address (a /32), with messages that say what is wrong. */
    static Ipv4Prefix prefix(ConfigNode n, String key) {
        String t = n.expectText("'" + key + "'").trim();
        int slash = t.indexOf('/');
        String addressText = slash < 0 ? t : t.substring(0, slash);
        String[] parts = addressText.split("\\.", -1);
        if (parts.length != 4) {
            throw n.error("bad address '" + t + "' in " + key + "; expected a prefix such as 10.8.0.0/16 or an"
                    + " address such as 10.8.1.2");
        }
        int address = 0;
        for (String part : parts) {
            long octet = part.length() > 3 ? -1 : decimal(part);
            if (octet < 0) {
                throw n.error("bad address '" + t + "' in " + key + "; expected a prefix such as 10.8.0.0/16 or an"
                        + " address such as 10.8.1.2");
            }
            if (octet > 255) {
                throw n.error("bad address '" + t + "' in " + key + ": octet " + part + " is greater than 255");
            }
            address = (address << 8) | (int) octet;
        }
        int length = 32;
        if (slash >= 0) {
            String lengthText = t.substring(slash + 1);
            long l = lengthText.length() > 2 ? -1 : decimal(lengthText);
            if (l < 0 || l > 32) {
                throw n.error("bad prefix '" + t + "' in " + key + ": the prefix length must be 0..32");
            }
            length = (int) l;
        }
        int mask = Ipv4.mask(length);
        if ((address & ~mask) != 0) {
            throw n.error("bad prefix '" + t + "' in " + key + ": host bits are set; the network is "
                    + Ipv4.format(address & mask) + "/" + length);
        }
        return new Ipv4Prefix(address, length);
    }

    private static String upper(String word) {
        return word.replace('-', '_').toUpperCase(Locale.ROOT);
    }
}
