package org.quietbridge.cli;

/** The exit status of every quietbridge command. */
public final class ExitCode {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** Something failed at run time: not the operator's input, but the machine or the bridge. */
    public static final int FAILURE = 1;
    /** The input is wrong: a config error, an unreadable or corrupt capture, a usage error. */
    public static final int BAD_INPUT = 2;

    private ExitCode() {
    }
}
