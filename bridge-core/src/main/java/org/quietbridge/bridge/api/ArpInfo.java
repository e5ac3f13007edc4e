package org.quietbridge.bridge.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ARP flood containment: its mode and counters, and (for {@code /api/arp}) its bindings.
 *
 * @param mode off, monitor, contain or unicast
 * @param counters every {@code ArpCounter} by label (outcomes, binding events, and {@code bindings}); empty when off
 * @param bindings the binding table, or empty when not asked for
 */
public record ArpInfo(String mode, Map<String, Long> counters, List<Binding> bindings) {
    public ArpInfo {
        counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters)); // in the counters' order
        bindings = List.copyOf(bindings);
    }

    /** Containment off: nothing counted, no bindings. */
    public static ArpInfo off() {
        return new ArpInfo("off", Map.of(), List.of());
    }

    /**
     * A binding: {@code ip} on {@code vlan} (-1 untagged) belongs to {@code mac}, on {@code port}.
     *
     * @param ageSeconds seconds since the last evidence
     */
    public record Binding(String ip, int vlan, String mac, String port, double ageSeconds) {
    }
}
