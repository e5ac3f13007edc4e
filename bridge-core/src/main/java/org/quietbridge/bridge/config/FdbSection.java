package org.quietbridge.bridge.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.quietbridge.bridge.forward.BridgeSettings;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.rules.ConfigNode;

/**
 * The {@code fdb:} section: the MAC table's size, aging and static entries.
 *
 * @param maxEntries the most entries the table holds
 * @param agingNanos how long an entry lives unrefreshed (also NLB's default)
 * @param statics    pinned entries, at most {@code maxEntries}
 */
record FdbSection(int maxEntries, long agingNanos, List<BridgeSettings.StaticMac> statics) {
    /** Reads the section; absent or null: the defaults and no static entries. */
    static FdbSection read(ConfigNode fdb, List<String> ports) {
        int maxEntries = BridgeSettings.DEFAULT_FDB_MAX_ENTRIES;
        long agingNanos = BridgeSettings.DEFAULT_FDB_AGING_NANOS;
        List<BridgeSettings.StaticMac> statics = new ArrayList<>();
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
        return new FdbSection(maxEntries, agingNanos, statics);
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
}
