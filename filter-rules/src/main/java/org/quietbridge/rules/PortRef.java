package org.quietbridge.rules;

import java.util.Objects;

/**
 * A bridge port named by a rule's {@code ingress} key, with where it was written, so that
 * {@link CompiledRules#compile} can point at a name the bridge does not have.
 */
public record PortRef(String name, SourcePosition position) {

    public PortRef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(position, "position");
    }

    @Override
    public String toString() {
        return name;
    }
}
