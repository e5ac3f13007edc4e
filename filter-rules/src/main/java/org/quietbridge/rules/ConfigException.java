package org.quietbridge.rules;

import java.io.Serial;
import java.util.Objects;

/**
 * A configuration error an operator can fix: what is wrong and exactly where.
 *
 * <p>{@link #getMessage()} is always {@code file:line:column: message}, with a 1-based line and
 * column, so editors and CI logs can jump to the spot. Every error the YAML layer, the rule
 * loader and the rule compiler report is one of these.
 *
 * <p>Unchecked on purpose: configuration is loaded at start-up and on reload, where the only
 * sensible reaction is to print the message and refuse the file, and the YAML layer is called
 * through deep typed getters. Callers that load configuration catch it at that one place.
 */
public final class ConfigException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final SourcePosition position;
    private final String detail;

    public ConfigException(SourcePosition position, String detail) {
        this(position, detail, null);
    }

    public ConfigException(SourcePosition position, String detail, Throwable cause) {
        super(Objects.requireNonNull(position, "position") + ": " + Objects.requireNonNull(detail, "detail"), cause);
        this.position = position;
        this.detail = detail;
    }

    public SourcePosition position() {
        return position;
    }

    public String file() {
        return position.file();
    }

    /** 1-based line. */
    public int line() {
        return position.line();
    }

    /** 1-based column. */
    public int column() {
        return position.column();
    }

    /** The message without the {@code file:line:column: } prefix. */
    public String detail() {
        return detail;
    }
}
