package org.quietbridge.bridge.config;

import java.util.Arrays;
import java.util.List;

import org.quietbridge.bridge.forward.ArpMode;
import org.quietbridge.bridge.forward.ArpSettings;
import org.quietbridge.rules.ConfigNode;

/** The {@code arp:} section: ARP flood containment's mode, size and aging. */
final class ArpSection {
    private static final List<String> MODES = Arrays.stream(ArpMode.values()).map(ArpMode::word).toList();

    private ArpSection() {
    }

    static ArpSettings read(ConfigNode node, long fdbAgingNanos) {
        if (node == null || node.isNull()) {
            return ArpSettings.off(fdbAgingNanos);
        }
        node.expectMapping("'arp'");
        node.checkKeys("in arp", List.of("mode", "max_bindings", "aging"));
        String word = node.required("mode", "arp (" + String.join(", ", MODES) + ")").expectWord("arp.mode", MODES);
        ArpMode mode = ArpMode.values()[MODES.indexOf(word)];
        int maxBindings = ArpSettings.DEFAULT_MAX_BINDINGS;
        ConfigNode max = node.get("max_bindings");
        if (max != null) {
            maxBindings = max.expectInt("arp.max_bindings", 1, ArpSettings.MAX_BINDINGS_LIMIT);
        }
        long agingNanos = fdbAgingNanos;
        ConfigNode aging = node.get("aging");
        if (aging != null) {
            agingNanos = aging.expectInt("arp.aging (seconds)", 1, 1_000_000) * 1_000_000_000L;
        }
        return new ArpSettings(mode, maxBindings, agingNanos);
    }
}
