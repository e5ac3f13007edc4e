package org.quietbridge.bridge.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.quietbridge.bridge.forward.StormClass;
import org.quietbridge.bridge.forward.StormSettings;
import org.quietbridge.rules.ConfigNode;

/**
 * The {@code storm_control:} section: a list of limits, each on one ingress port and class.
 *
 * <pre>
 * storm_control:
 *   - {port: ap0, class: broadcast, pps: 500}                      # falling_pps: pps, action: drop
 *   - {port: ap0, class: arp, pps: 200, falling_pps: 100, action: log}
 * </pre>
 */
final class StormControlSection {
    private static final List<String> CLASSES = Arrays.stream(StormClass.values()).map(StormClass::label).toList();

    private StormControlSection() {
    }

    static StormSettings read(ConfigNode node, List<String> ports) {
        if (node == null || node.isNull()) {
            return StormSettings.none();
        }
        List<StormSettings.Limit> limits = new ArrayList<>();
        for (ConfigNode entry : node.expectList("'storm_control'")) {
            entry.expectMapping("a storm_control entry");
            entry.checkKeys("in a storm_control entry", List.of("port", "class", "pps", "falling_pps", "action"));
            ConfigNode portNode = entry.required("port", "a storm_control entry");
            String port = portNode.expectText("port");
            int index = ports.indexOf(port);
            if (index < 0) {
                throw portNode.error("unknown port '" + port + "'; the bridge's ports are " + String.join(", ", ports));
            }
            StormClass stormClass = StormClass.ofLabel(entry.required("class", "a storm_control entry (" +
                    String.join(", ", CLASSES) + ")").expectWord("class", CLASSES));
            int pps = entry.required("pps", "a storm_control entry").expectInt("pps (frames per second)", 1,
                    (int) StormSettings.MAX_PPS);
            int fallingPps = pps;
            ConfigNode fallingNode = entry.get("falling_pps");
            if (fallingNode != null) {
                fallingPps = fallingNode.expectInt("falling_pps (at most pps, " + pps + ")", 0, pps);
            }
            StormSettings.Action action = StormSettings.Action.DROP;
            ConfigNode actionNode = entry.get("action");
            if (actionNode != null) {
                action = StormSettings.Action.valueOf(actionNode.expectWord("action", List.of("drop", "log"))
                        .toUpperCase(Locale.ROOT));
            }
            for (StormSettings.Limit other : limits) {
                if (other.port() == index && other.stormClass() == stormClass) {
                    throw entry.error("a second storm_control limit for " + port + " " + stormClass.label()
                            + "; one per port and class");
                }
            }
            limits.add(new StormSettings.Limit(index, stormClass, pps, fallingPps, action));
        }
        return new StormSettings(limits);
    }
}
