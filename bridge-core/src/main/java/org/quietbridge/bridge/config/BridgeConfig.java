package org.quietbridge.bridge.config;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

import org.quietbridge.bridge.failover.FailoverSettings;
import org.quietbridge.bridge.forward.ArpMode;
import org.quietbridge.bridge.forward.ArpSettings;
import org.quietbridge.bridge.forward.BridgeSettings;
import org.quietbridge.bridge.forward.LinkLocalPolicy;
import org.quietbridge.bridge.forward.NlbMode;
import org.quietbridge.bridge.forward.NlbSettings;
import org.quietbridge.bridge.forward.StormSettings;
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
 * arp:                         # ARP flood containment; off without this section
 *   mode: unicast              # required here: off | monitor | contain | unicast
 *   max_bindings: 16384        # IP bindings the table holds
 *   aging: 300                 # seconds a binding lives without new evidence; default: fdb.aging
 * storm_control:               # token buckets on frames received per port and class; none by default
 *   - {port: eth1, class: broadcast, pps: 500}    # class: broadcast | multicast | unknown_unicast | arp
 *                                                 # falling_pps: pps (a storm ends below it); action: drop | log
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
            "failover", "link_state", "storm_control", "arp");
    public static final IdleMode DEFAULT_IDLE = IdleMode.BACKOFF;

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
        List<String> ports = PortsSection.read(root.required("ports", "the configuration"));
        FdbSection fdb = FdbSection.read(root.get("fdb"), ports);
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
        RingSettings ring = RingSection.read(root.get("ring"));
        NlbSettings nlb = NlbSection.read(root.get("nlb"), ports, fdb.agingNanos());
        StormSettings storm = StormControlSection.read(root.get("storm_control"), ports);
        ArpSettings arp = ArpSection.read(root.get("arp"), fdb.agingNanos());
        BridgeSettings settings = new BridgeSettings(fdb.maxEntries(), fdb.agingNanos(), linkLocal,
                BridgeSettings.DEFAULT_BATCH_SIZE, fdb.statics(), nlb, storm, arp);
        ManagementSettings api = ApiSection.read(root.get("api"));
        FailoverSettings failover = FailoverSection.read(root.get("failover"));
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
     * NLB and ARP containment, if they contain, in monitor mode too, and storm control only logging.
     */
    public BridgeConfig monitorOnly() {
        BridgeConfig c = withRuleSet(ruleSet.withMode(Mode.MONITOR));
        NlbSettings nlb = c.settings().nlb();
        if (nlb.mode() == NlbMode.CONTAIN) {
            c = c.withSettings(c.settings().withNlb(nlb.withMode(NlbMode.MONITOR)));
        }
        c = c.withSettings(c.settings().withStorm(c.settings().storm().logOnly()));
        ArpSettings arp = c.settings().arp();
        if (arp.mode() == ArpMode.CONTAIN || arp.mode() == ArpMode.UNICAST) {
            c = c.withSettings(c.settings().withArp(arp.withMode(ArpMode.MONITOR)));
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

}
