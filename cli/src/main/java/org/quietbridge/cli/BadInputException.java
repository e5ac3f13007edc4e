package org.quietbridge.cli;

import java.io.Serial;

/**
 * Input the operator can fix (a missing file, an unknown port name): reported as one line,
 * {@code quietbridge: MESSAGE}, and exit code {@link ExitCode#BAD_INPUT}.
 */
public final class BadInputException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
