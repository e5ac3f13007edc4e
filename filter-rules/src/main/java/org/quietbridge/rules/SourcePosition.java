package org.quietbridge.rules;

import java.io.Serializable;
import java.util.Objects;

/**
 * Where something was written: a file (or other source name) and a 1-based line and column.
 * Columns count Unicode code points, as the YAML parser does.
 */
public record SourcePosition(String file, int line, int column) implements Serializable {

    public SourcePosition {
        Objects.requireNonNull(file, "file");
    }

    /** The first character of a source: where whole-file errors (too large, unreadable) are reported. */
    public static SourcePosition start(String file) {
        return new SourcePosition(file, 1, 1);
    }

    /** {@code file:line:column}, the prefix of every {@link ConfigException} message. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
