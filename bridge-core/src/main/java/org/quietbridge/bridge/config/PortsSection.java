package org.quietbridge.bridge.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.quietbridge.rules.ConfigNode;

/** The {@code ports:} list: interface names, each once, two to 64 of them. */
final class PortsSection {
    private static final Pattern IFNAME = Pattern.compile("[^\\s/:]{1,15}");

    private PortsSection() {
    }

    static List<String> read(ConfigNode node) {
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
}
