package org.quietbridge.lab;

/**
 * A lab could not be built, queried or torn down. The message is one line that names the
 * command that failed and what it printed, so that {@code quietbridge lab} can show it as is.
 */
public final class LabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
