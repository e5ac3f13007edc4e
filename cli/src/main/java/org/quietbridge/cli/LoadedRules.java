package org.quietbridge.cli;

import org.quietbridge.bridge.config.BridgeConfig;
import org.quietbridge.rules.YamlDocument;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

import org.quietbridge.frame.Ipv4Prefix;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.PortRef;
import org.quietbridge.rules.Rule;
import org.quietbridge.rules.RuleSet;
import org.quietbridge.rules.RuleSetLoader;

/**
 * A rule file loaded and compiled for a command, with the port names it was compiled against.
 * Loading throws {@link org.quietbridge.rules.ConfigException} for a bad file and
 * {@link BadInputException} for a missing one.
 *
 * @param portNames the ports the rules were compiled for, or {@code null} when unknown
 * @param bridgeConfig the file is a whole bridge configuration (it has {@code ports:})
 */
record LoadedRules(Path file, RuleSet ruleSet, CompiledRules rules, List<String> portNames, BridgeConfig config) {

    /** Whether the file is a whole bridge configuration (with {@code ports:}), not a rule file. */
    boolean bridgeConfig() {
        return config != null;
    }

    /** Loads and compiles {@code file} without knowing the bridge's ports. */
    static LoadedRules load(Path file) {
        YamlDocument doc = YamlDocument.load(InputFiles.readable(file));
        if (doc.root().isMapping() && doc.root().has("ports")) {
            // A whole bridge configuration: check the bridge's part too, and compile for its ports.
            BridgeConfig config = BridgeConfig.read(doc);
            return new LoadedRules(file, config.ruleSet(), config.compileRules(), config.ports(), config);
        }
        RuleSet ruleSet = RuleSetLoader.read(doc, java.util.Set.of());
        return new LoadedRules(file, ruleSet, CompiledRules.compile(ruleSet, null), null, null);
    }

    /**
     * Loads and compiles {@code file} for frames that arrive on {@code port} (or on no known
     * port when {@code null}): the port list is the ports the rules name, plus {@code port}.
     */
    static LoadedRules loadForPort(Path file, String port) {
        RuleSet ruleSet = RuleSetLoader.load(InputFiles.readable(file));
        List<String> ports = new ArrayList<>(namedPorts(ruleSet));
        if (port != null && !ports.contains(port)) {
            ports.add(port);
        }
        return new LoadedRules(file, ruleSet, CompiledRules.compile(ruleSet, ports), List.copyOf(ports), null);
    }

    /** The ports the rules name in {@code ingress}, in order of first appearance. */
    static List<String> namedPorts(RuleSet ruleSet) {
        List<String> names = new ArrayList<>();
        for (Rule rule : ruleSet.rules()) {
            for (PortRef p : rule.match().ingress()) {
                if (!names.contains(p.name())) {
                    names.add(p.name());
                }
            }
        }
        return names;
    }

    /** The index of {@code port} among {@link #portNames}, or -1. */
    int portIndex(String port) {
        return port == null || portNames == null ? -1 : portNames.indexOf(port);
    }

    /** {@code rules.yaml: 2 rules, mode enforce, subnets 10.8.0.0/16[, default rules (...)]}. */
    String header() {
        StringJoiner subnets = new StringJoiner(", ");
        for (Ipv4Prefix p : ruleSet.subnets()) {
            subnets.add(p.toString());
        }
        int n = rules.size();
        return file + ": " + n + (n == 1 ? " rule" : " rules") + ", mode " + rules.mode().word()
                + ", subnets " + (subnets.length() == 0 ? "none" : subnets.toString())
                + (ruleSet.defaultRules() ? ", default rules (the file has no 'rules:')" : "")
                + (bridgeConfig() ? ", ports " + String.join(", ", portNames) : "");
    }
}
