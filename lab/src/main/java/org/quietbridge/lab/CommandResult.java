package org.quietbridge.lab;

import java.util.List;

/**
 * How a finished command ended.
 *
 * @param command  the full argument vector that ran, {@code ip netns exec ...} included
 * @param exitCode the process's exit status
 * @param stdout   everything it wrote to standard output (UTF-8)
 * @param stderr   everything it wrote to standard error (UTF-8)
 */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

    public CommandResult {
        command = List.copyOf(command);
    }

    /** Whether the command exited with status 0. */
    public boolean succeeded() {
        return exitCode == 0;
    }

    /**
     * This result when the command exited with status 0.
     *
     * @throws LabException naming the command, its exit status and the first line of its
     *                      standard error otherwise
     */
    public CommandResult orThrow() {
        if (exitCode != 0) {
            throw new LabException(commandLine() + ": exit " + exitCode + firstLineOf(stderr, stdout));
        }
        return this;
    }

    /** The command as one shell-like line, for messages. */
    public String commandLine() {
        return String.join(" ", command);
    }

    private static String firstLineOf(String stderr, String stdout) {
        String text = stderr.isBlank() ? stdout : stderr;
        return text.lines().filter(line -> !line.isBlank()).findFirst().map(line -> ": " + line.strip()).orElse("");
    }
}
