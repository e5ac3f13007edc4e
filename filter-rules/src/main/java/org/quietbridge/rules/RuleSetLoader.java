package org.quietbridge.rules;

import java.nio.file.Path;
import java.util.Set;

/** Reads rule sets from YAML. Work in progress: signatures are final. */
public final class RuleSetLoader {
    /** Classpath resource of the shipped default rule set. */
    public static final String DEFAULT_RESOURCE = "org/quietbridge/rules/default-rules.yaml";

    private RuleSetLoader() {
    }

    public static RuleSet load(Path file) {
        return read(YamlDocument.load(file), Set.of());
    }

    public static RuleSet parse(String sourceName, String yaml) {
        return read(YamlDocument.parse(sourceName, yaml), Set.of());
    }

    public static RuleSet defaults() {
        throw new UnsupportedOperationException("not yet");
    }

    public static RuleSet read(YamlDocument doc, Set<String> extraTopLevelKeys) {
        throw new UnsupportedOperationException("not yet");
    }
}
