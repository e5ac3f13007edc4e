package org.quietbridge.cli;

import java.io.PrintWriter;

import org.quietbridge.capture.CaptureFormatException;
import org.quietbridge.lab.LabException;
import org.quietbridge.rules.ConfigException;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns every failure into one line on standard error and an {@link ExitCode}: config errors
 * as their {@code file:line:column: message} alone, everything else as
 * {@code quietbridge: message}. No stack trace reaches an operator for bad input; an internal
 * error shows one when {@code QUIETBRIDGE_STACKTRACE=1}.
 */
final class FailureReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
    static final String PREFIX = "quietbridge: ";

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String help = cmd.getCommandSpec().qualifiedName() + " --help";
        String hint = "see '" + help + "'";
        if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            hint = "did you mean " + String.join(" or ", u.getSuggestions()) + "? " + hint;
        }
        cmd.getErr().println(PREFIX + oneLine(e.getMessage()) + " (" + hint + ")");
        cmd.getErr().flush();
        return ExitCode.BAD_INPUT;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        int code;
        switch (e) {
            case ConfigException c -> {
                err.println(oneLine(c.getMessage()));
                code = ExitCode.BAD_INPUT;
            }
            case BadInputException b -> {
                err.println(PREFIX + oneLine(b.getMessage()));
                code = ExitCode.BAD_INPUT;
            }
            case ApiClient.ApiUnreachableException u -> {
                err.println(PREFIX + oneLine(u.getMessage()));
                code = ExitCode.FAILURE;
            }
            case CaptureFormatException c -> {
                err.println(PREFIX + oneLine(c.getMessage()));
                code = ExitCode.BAD_INPUT;
            }
            // The machine, not the input: not root, a program missing, a lab in the way.
            case LabException l -> {
                err.println(PREFIX + oneLine(l.getMessage()));
                code = ExitCode.FAILURE;
            }
            default -> {
                err.println(PREFIX + "internal error: " + oneLine(String.valueOf(e)));
                if ("1".equals(System.getenv("QUIETBRIDGE_STACKTRACE"))) {
                    e.printStackTrace(err);
                }
                code = ExitCode.FAILURE;
            }
        }
        err.flush();
        return code;
    }

    /** Messages are one line by contract; this keeps a stray newline from breaking that. */
    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
