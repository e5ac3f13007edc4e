package org.quietbridge.bridge.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.quietbridge.bridge.failover.FailoverSettings;
import org.quietbridge.bridge.forward.BridgeSettings;
import org.quietbridge.bridge.forward.LinkLocalPolicy;
import org.quietbridge.bridge.forward.NlbMode;
import org.quietbridge.bridge.forward.NlbSettings;
import org.quietbridge.bridge.port.OffloadMode;
import org.quietbridge.bridge.port.RingVersion;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.NlbMac;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.ConfigException;
import org.quietbridge.rules.ConfigNode;
import org.quietbridge.rules.Mode;
import org.quietbridge.rules.RuleSet;
import org.quietbridge.rules.RuleSetLoader;
import org.quietbridge.rules.YamlDocument;

/**
 * A whole quietbridge configuration file: the bridge's ports and tunables plus the rule set.
 *
 * <p>The smallest working file is one line, {@code ports: [eth1, eth2]}: the shipped NetBIOS
 * rules then apply, in enforce mode, with the defaults below.
 *
 * <pre>
 * ports: [eth1, eth2]          # required: two or more interfaces, each once
 * mode: enforce                # or monitor
 * subnets: [10.8.0.0/16]       # for directed broadcasts (see the rule language)
 * rules: [...]                 # default: the shipped NetBIOS rule set
 * fdb:
 *   max_entries: 16384         # new MACs past this are flooded, not learned
 *   aging: 300                 # seconds without traffic before an entry is forgotten
 *   static:                    # entries that never age and never move
 *     - {mac: 00:11:22:33:44:55, port: eth2, vlan: 10}   # vlan optional: untagged
 * link_local: forward          # or drop: 01:80:c2:00:00:0X (BPDU, LLDP, LACP, EAPOL)
 * idle: backoff                # spin | backoff | block
 * ring:
 *   frames: 4096               # slots per RX ring (and per TX ring; up to 512 68 KiB slots with offloads)
 *   version: 2                 # TPACKET_V2 (per-frame RX) or 3 (block-based RX; see bench/README.md)
 *   block_timeout: 0           # version 3 only: ms before a partly filled RX block is handed over;
 *                              # 0 = the kernel's choice (from the link speed; 8 ms when unknown)
 *   offloads: auto             # auto: virtio-net headers carry super-frames and partial checksums
 *                              # through (where the kernel can); off: GRO/LRO off, super-frames dropped
 * nlb:                         # Microsoft NLB flood containment; off without this section
 *   mode: contain              # required here: off | monitor | contain
 *   aging: 300                 # seconds a learned member port lives; default: fdb.aging
 *   max_clusters: 64           # new clusters past this are not learned (counted)
 *   static:                    # clusters pinned to ports; they never age
 *     - {cluster: 10.14.35.247, ports: [eth2]}           # by cluster IP (vlan optional)
 *     - {mac: "02:bf:0a:0e:23:f8", ports: [eth2]}       # by cluster MAC (02:bf or 03:bf: the IP is in it)
 * failover: kernel             # or off; or {mode: kernel, timeout: 200}: ms before the kernel stands in
 * link_state: off              # or propagate: a port that loses carrier takes the other ports down with it
 * api:                         # the management API and dashboard; "api: off" turns it off
 *   listen: 127.0.0.1:9700     # host:port, [v6]:port, or off
 *   token: s3cret              # or token_file: /etc/quietbridge/token; guards POST /api/reload
 * </pre>
 *
 * @param source the file name errors are reported against
 * @param ports interface names; the index is the port number in counters and rules
 * @param api where the management API listens, or null when it is off
 * @param ring how the ports' rings are built
 * @param failover whether the kernel stands in when quietbridge does not forward
 * @param propagateLinkState {@code link_state: propagate}: when one port loses carrier, the others are set
 *                           administratively down until it returns (a virtual wire's link-state pass-through)
 */
public record BridgeConfig(String source, List<String> ports, RuleSet ruleSet, BridgeSettings settings, ManagementSettings api,
        IdleMode idle, RingSettings ring, FailoverSettings failover, boolean propagateLinkState) {

    public static final List<String> KEYS = List.of("ports", "fdb", "link_local", "idle", "ring", "nlb", "api",
            "failover", "link_state");
    public static final IdleMode DEFAULT_IDLE = IdleMode.BACKOFF;
    private static final Pattern IFNAME = Pattern.compile("[^\\s/:]{1,15}");

    public BridgeConfig {
        ports = List.copyOf(ports);
    }

    /** Reads and validates a file; every error is a {@link ConfigException} with file:line:column. */
    public static BridgeConfig load(Path file) {
        return read(YamlDocument.load(file));
    }

    public static BridgeConfig parse(String source, String yaml) {
        return read(YamlDocument.parse(source, yaml));
    }

    /** Reads a parsed document (so callers can look at it first, as `check` does). */
    public static BridgeConfig read(YamlDocument doc) {
        RuleSet rules = RuleSetLoader.read(doc, new LinkedHashSet<>(KEYS));
        ConfigNode root = doc.root();
        if (root.isNull()) {
            throw root.error("empty configuration: it needs at least 'ports: [eth1, eth2]'");
        }
        List<String> ports = ports(root.required("ports", "the configuration"));
        int maxEntries = BridgeSettings.DEFAULT_FDB_MAX_ENTRIES;
        long agingNanos = BridgeSettings.DEFAULT_FDB_AGING_NANOS;
        List<BridgeSettings.StaticMac> statics = new ArrayList<>();
        ConfigNode fdb = root.get("fdb");
        if (fdb != null && !fdb.isNull()) {
            fdb.expectMapping("'fdb'");
            fdb.checkKeys("in fdb", List.of("max_entries", "aging", "static"));
            ConfigNode max = fdb.get("max_entries");
            if (max != null) {
                maxEntries = max.expectInt("fdb.max_entries", 1, 1 << 22);
            }
            ConfigNode aging = fdb.get("aging");
            if (aging != null) {
                agingNanos = aging.expectInt("fdb.aging (seconds)", 1, 1_000_000) * 1_000_000_000L;
            }
            ConfigNode st = fdb.get("static");
            if (st != null && !st.isNull()) {
                statics = staticMacs(st, ports);
                if (statics.size() > maxEntries) {
                    throw st.error(statics.size() + " static entries do not fit fdb.max_entries " + maxEntries);
                }
            }
        }
        LinkLocalPolicy linkLocal = LinkLocalPolicy.FORWARD;
        ConfigNode ll = root.get("link_local");
        if (ll != null) {
            linkLocal = LinkLocalPolicy.valueOf(ll.expectWord("link_local", List.of("forward", "drop"))
                    .toUpperCase(Locale.ROOT));
        }
        IdleMode idle = DEFAULT_IDLE;
        ConfigNode idleNode = root.get("idle");
        if (idleNode != null) {
            idle = IdleMode.valueOf(idleNode.expectWord("idle", List.of("spin", "backoff", "block"))
                    .toUpperCase(Locale.ROOT));
        }
        RingSettings ring = ring(root.get("ring"));
        NlbSettings nlb = nlb(root.get("nlb"), ports, agingNanos);
        BridgeSettings settings = new BridgeSettings(maxEntries, agingNanos, linkLocal,
                BridgeSettings.DEFAULT_BATCH_SIZE, statics, nlb);
        ManagementSettings api = api(root.get("api"), doc.source());
        FailoverSettings failover = failover(root.get("failover"));
        ConfigNode linkState = root.get("link_state");
        boolean propagate = linkState != null
                && linkState.expectWord("link_state", List.of("off", "propagate")).equals("propagate");
        BridgeConfig config = new BridgeConfig(doc.source(), ports, rules, settings, api, idle, ring, failover,
                propagate);
        config.compileRules(); // ingress names must be ports: report it now, at the rule's position
        return config;
    }

    /** Compiles the rule set against this bridge's ports. */
    public CompiledRules compileRules() {
        return CompiledRules.compile(ruleSet, ports);
    }

    /**
     * This configuration with nothing dropped ({@code run --monitor}): the rules in monitor mode,
     * and NLB containment, if it contains, in monitor mode too.
     */
    public BridgeConfig monitorOnly() {
        BridgeConfig c = withRuleSet(ruleSet.withMode(Mode.MONITOR));
        NlbSettings nlb = c.settings().nlb();
        if (nlb.mode() == NlbMode.CONTAIN) {
            c = c.withSettings(c.settings().withNlb(nlb.withMode(NlbMode.MONITOR)));
        }
        return c;
    }

    /** The same configuration with another rule set. */
    public BridgeConfig withRuleSet(RuleSet next) {
        return new BridgeConfig(source, ports, next, settings, api, idle, ring, failover, propagateLinkState);
    }

    /** The same configuration with other data-plane settings. */
    public BridgeConfig withSettings(BridgeSettings next) {
        return new BridgeConfig(source, ports, ruleSet, next, api, idle, ring, failover, propagateLinkState);
    }

    /**
     * {@code failover: kernel} (the default) or {@code off}, or {@code {mode: kernel, timeout: 200}} (ms
     * the kernel waits before it stands in).
     */
    private static FailoverSettings failover(ConfigNode node) {
        if (node == null || node.isNull()) {
            return FailoverSettings.defaults();
        }
        List<String> modes = List.of("kernel", "off");
        if (node.isScalar()) {
            return node.expectWord("failover", modes).equals("kernel") ? FailoverSettings.defaults()
                    : FailoverSettings.off();
        }
        node.expectMapping("'failover'");
        node.checkKeys("in failover", List.of("mode", "timeout"));
        boolean kernel = true;
        ConfigNode mode = node.get("mode");
        if (mode != null) {
            kernel = mode.expectWord("failover.mode", modes).equals("kernel");
        }
        int timeout = FailoverSettings.DEFAULT_TIMEOUT_MILLIS;
        ConfigNode timeoutNode = node.get("timeout");
        if (timeoutNode != null) {
            timeout = timeoutNode.expectInt("failover.timeout (ms)", FailoverSettings.MIN_TIMEOUT_MILLIS,
                    FailoverSettings.MAX_TIMEOUT_MILLIS);
        }
        return new FailoverSettings(kernel, timeout);
    }

    /** The {@code ring:} section; absent or null: {@link RingSettings#defaults()}. */
    private static RingSettings ring(ConfigNode ring) {
        RingSettings defaults = RingSettings.defaults();
        if (ring == null || ring.isNull()) {
            return defaults;
        }
        ring.expectMapping("'ring'");
        ring.checkKeys("in ring", List.of("frames", "version", "block_timeout", "offloads"));
        int frames = defaults.frames();
        ConfigNode framesNode = ring.get("frames");
        if (framesNode != null) {
            frames = framesNode.expectInt("ring.frames", 64, 1 << 18);
            if (Integer.bitCount(frames) != 1) {
                throw framesNode.error("ring.frames must be a power of two (64 to 262144): " + frames);
            }
        }
        RingVersion version = defaults.version();
        ConfigNode versionNode = ring.get("version");
        if (versionNode != null) {
            version = RingVersion.of(versionNode.expectInt("ring.version (TPACKET_V2 or V3)", 2, 3));
        }
        int blockTimeout = defaults.blockTimeout();
        ConfigNode timeout = ring.get("block_timeout");
        if (timeout != null) {
            blockTimeout = timeout.expectInt("ring.block_timeout (ms)", 0, RingSettings.MAX_BLOCK_TIMEOUT);
            if (version != RingVersion.V3) {
                throw timeout.error("ring.block_timeout applies to TPACKET_V3 only; add 'version: 3' to 'ring'"
                        + " or remove it");
            }
        }
        OffloadMode offloads = defaults.offloads();
        ConfigNode offloadsNode = ring.get("offloads");
        if (offloadsNode != null) {
            offloads = OffloadMode.valueOf(offloadsNode.expectWord("ring.offloads", List.of("auto", "off"))
                    .toUpperCase(Locale.ROOT));
        }
        return new RingSettings(frames, version, blockTimeout, offloads);
    }

    /**
     * The management API: on by default on 127.0.0.1:9700; {@code api: off} (or
     * {@code listen: off}) turns it off; {@code token} or {@code token_file} guard POST
     * /api/reload. Returns null when off.
     */
    private static ManagementSettings api(ConfigNode node, String source) {
        if (node == null || node.isNull()) {
            return ManagementSettings.defaults();
        }
        if (node.isScalar()) {
            node.expectWord("api", List.of("off"));
            return null;
        }
        node.expectMapping("'api'");
        node.checkKeys("in api", List.of("listen", "token", "token_file"));
        String listen = ManagementSettings.DEFAULT_HOST + ":" + ManagementSettings.DEFAULT_PORT;
        ConfigNode listenNode = node.get("listen");
        if (listenNode != null) {
            listen = listenNode.expectText("api.listen");
            if (listen.equals("off")) {
                return null;
            }
        }
        ConfigNode tokenNode = node.get("token");
        ConfigNode tokenFile = node.get("token_file");
        if (tokenNode != null && tokenFile != null) {
            throw tokenFile.error("give api.token or api.token_file, not both");
        }
        String token = tokenNode == null ? null : tokenNode.expectText("api.token");
        if (tokenFile != null) {
            Path file = Path.of(tokenFile.expectText("api.token_file"));
            try {
                token = Files.readString(file).strip();
            } catch (IOException e) {
                throw tokenFile.error("cannot read api.token_file " + file + ": "
                        + (e instanceof java.nio.file.NoSuchFileException ? "No such file" : e.getMessage()));
            }
        }
        try {
            return ManagementSettings.parse(listen, token);
        } catch (IllegalArgumentException e) {
            throw (tokenNode != null && e.getMessage().contains("token") ? tokenNode
                    : listenNode != null ? listenNode : node).error(e.getMessage());
        }
    }

    private static List<String> ports(ConfigNode node) {
        List<ConfigNode> items = node.expectOneOrMore("'ports'");
        List<String> names = new ArrayList<>();
        Map<String, ConfigNode> seen = new HashMap<>();
        for (ConfigNode item : items) {
            String name = item.expectText("a port");
            if (!IFNAME.matcher(name).matches()) {
                throw item.error("'" + name + "' is not an interface name (1 to 15 characters, no spaces, '/' or ':')");
            }
            ConfigNode first = seen.putIfAbsent(name, item);
            if (first != null) {
                throw item.error("interface '" + name + "' is listed twice in 'ports' (first at line "
                        + first.position().line() + ")");
            }
            names.add(name);
        }
        if (names.size() < 2) {
            throw node.error("a bridge needs at least two ports; 'ports' has " + names.size());
        }
        if (names.size() > 64) {
            throw node.error("at most 64 ports; 'ports' has " + names.size());
        }
        return names;
    }

    private static List<BridgeSettings.StaticMac> staticMacs(ConfigNode node, List<String> ports) {
        List<BridgeSettings.StaticMac> out = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        for (ConfigNode entry : node.expectList("'fdb.static'")) {
            entry.expectMapping("an fdb.static entry");
            entry.checkKeys("in an fdb.static entry", List.of("mac", "port", "vlan"));
            ConfigNode macNode = entry.required("mac", "an fdb.static entry");
            long mac;
            try {
                mac = Ethernet.parseMac(macNode.expectText("mac"));
            } catch (IllegalArgumentException e) {
                throw macNode.error("'" + macNode.text() + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
            }
            if (Ethernet.isGroupAddress(mac)) {
                throw macNode.error("static entry " + Ethernet.formatMac(mac)
                        + " is a group address; only unicast MACs are learned or pinned");
            }
            ConfigNode portNode = entry.required("port", "an fdb.static entry");
            String port = portNode.expectText("port");
            int index = ports.indexOf(port);
            if (index < 0) {
                throw portNode.error("unknown port '" + port + "'; the bridge's ports are " + String.join(", ", ports));
            }
            int vlan = -1;
            ConfigNode vlanNode = entry.get("vlan");
            if (vlanNode != null) {
                vlan = vlanNode.expectInt("vlan", 0, 4095);
            }
            if (!keys.add(mac + "/" + vlan)) {
                throw entry.error("duplicate static entry for " + Ethernet.formatMac(mac)
                        + (vlan < 0 ? " untagged" : " vlan " + vlan));
            }
            out.add(new BridgeSettings.StaticMac(mac, vlan, index));
        }
        return out;
    }

    private static NlbSettings nlb(ConfigNode node, List<String> ports, long fdbAgingNanos) {
        if (node == null || node.isNull()) {
            return NlbSettings.off(fdbAgingNanos);
        }
        node.expectMapping("'nlb'");
        node.checkKeys("in nlb", List.of("mode", "aging", "max_clusters", "static"));
        NlbMode mode = NlbMode.valueOf(node.required("mode", "nlb (off, monitor or contain)")
                .expectWord("nlb.mode", List.of("off", "monitor", "contain")).toUpperCase(Locale.ROOT));
        long agingNanos = fdbAgingNanos;
        ConfigNode aging = node.get("aging");
        if (aging != null) {
            agingNanos = aging.expectInt("nlb.aging (seconds)", 1, 1_000_000) * 1_000_000_000L;
        }
        int maxClusters = NlbSettings.DEFAULT_MAX_CLUSTERS;
        ConfigNode max = node.get("max_clusters");
        if (max != null) {
            maxClusters = max.expectInt("nlb.max_clusters", 1, NlbSettings.MAX_CLUSTERS_LIMIT);
        }
        List<NlbSettings.StaticCluster> statics = new ArrayList<>();
        ConfigNode st = node.get("static");
        if (st != null && !st.isNull()) {
            statics = staticClusters(st, ports);
            if (statics.size() > maxClusters) {
                throw st.error(statics.size() + " static clusters do not fit nlb.max_clusters " + maxClusters);
            }
        }
        return new NlbSettings(mode, agingNanos, maxClusters, statics);
    }

    private static List<NlbSettings.StaticCluster> staticClusters(ConfigNode node, List<String> ports) {
        List<NlbSettings.StaticCluster> out = new ArrayList<>();
        Map<String, ConfigNode> seen = new HashMap<>();
        for (ConfigNode entry : node.expectList("'nlb.static'")) {
            entry.expectMapping("an nlb.static entry");
            entry.checkKeys("in an nlb.static entry", List.of("cluster", "mac", "ports", "vlan"));
            ConfigNode ipNode = entry.get("cluster");
            ConfigNode macNode = entry.get("mac");
            if (ipNode == null && macNode == null) {
                throw entry.error("an nlb.static entry needs 'cluster' (the cluster IP) or 'mac'"
                        + " (02:bf:W:X:Y:Z or 03:bf:W:X:Y:Z)");
            }
            int ip = 0;
            if (ipNode != null) {
                String text = ipNode.expectText("cluster");
                try {
                    ip = Ipv4.parse(text);
                } catch (IllegalArgumentException e) {
                    throw ipNode.error("'" + text + "' is not an IPv4 address (the cluster IP, a.b.c.d)");
                }
                if (ip == 0 || ip == Ipv4.LIMITED_BROADCAST || Ipv4.isMulticast(ip)) {
                    throw ipNode.error("cluster " + text + " is not a unicast host address");
                }
            }
            long mac = 0;
            if (macNode != null) {
                String text = macNode.expectText("mac");
                try {
                    mac = Ethernet.parseMac(text);
                } catch (IllegalArgumentException e) {
                    throw macNode.error("'" + text + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
                }
                NlbMac form = NlbMac.of(mac);
                if (form == NlbMac.NONE) {
                    throw macNode.error(Ethernet.formatMac(mac) + " is not an NLB cluster MAC"
                            + " (02:bf:W:X:Y:Z unicast, 03:bf:W:X:Y:Z multicast, 01:00:5e:7f:Y:Z IGMP)");
                }
                if (ipNode == null) {
                    if (form == NlbMac.IGMP) {
                        throw macNode.error("the IGMP-mode MAC " + Ethernet.formatMac(mac)
                                + " holds only the low 16 bits of the cluster IP; give 'cluster' as well");
                    }
                    ip = NlbMac.embeddedIpv4(mac);
                    if (ip == 0 || ip == Ipv4.LIMITED_BROADCAST || Ipv4.isMulticast(ip)) {
                        throw macNode.error(Ethernet.formatMac(mac) + " encodes " + Ipv4.format(ip)
                                + ", not a unicast host address");
                    }
                } else if (!NlbMac.belongsTo(mac, ip)) {
                    throw macNode.error(Ethernet.formatMac(mac) + " is not a MAC of cluster " + Ipv4.format(ip)
                            + " (that is " + Ethernet.formatMac(NlbMac.unicastMac(ip)) + ", "
                            + Ethernet.formatMac(NlbMac.multicastMac(ip)) + " or "
                            + Ethernet.formatMac(NlbMac.igmpMac(ip)) + ")");
                }
            } else {
                mac = NlbMac.unicastMac(ip);
            }
            ConfigNode portsNode = entry.required("ports", "an nlb.static entry");
            long mask = 0;
            for (ConfigNode p : portsNode.expectOneOrMore("'ports'")) {
                String port = p.expectText("a port");
                int index = ports.indexOf(port);
                if (index < 0) {
                    throw p.error("unknown port '" + port + "'; the bridge's ports are " + String.join(", ", ports));
                }
                mask |= 1L << index;
            }
            int vlan = -1;
            ConfigNode vlanNode = entry.get("vlan");
            if (vlanNode != null) {
                vlan = vlanNode.expectInt("vlan", 0, 4095);
            }
            String key = Ipv4.format(ip) + (vlan < 0 ? " untagged" : " vlan " + vlan);
            ConfigNode first = seen.putIfAbsent(key, entry);
            if (first != null) {
                throw entry.error("cluster " + key + " is listed twice in nlb.static (first at line "
                        + first.position().line() + ")");
            }
            out.add(new NlbSettings.StaticCluster(ip, vlan, mac, mask));
        }
        return out;
    }
}
