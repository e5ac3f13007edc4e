package org.quietbridge.bridge.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.quietbridge.bridge.forward.NlbMode;
import org.quietbridge.bridge.forward.NlbSettings;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.Ipv4;
import org.quietbridge.frame.NlbMac;
import org.quietbridge.rules.ConfigNode;

/** The {@code nlb:} section: containment's mode, aging, size and static clusters. */
final class NlbSection {
    private NlbSection() {
    }

    static NlbSettings read(ConfigNode node, List<String> ports, long fdbAgingNanos) {
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
