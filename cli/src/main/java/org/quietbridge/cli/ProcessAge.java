package org.quietbridge.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * How long ago this process started (its fork, which the launcher's {@code exec} keeps), to 10 ms.
 *
 * <p>{@code ProcessHandle.Info.startInstant()} is not good enough for that: the JDK adds the start's clock
 * ticks to the boot time of {@code /proc/stat}, which is whole seconds, so an age from it can be off by up
 * to a second. Both figures here count from boot on the same clock: {@code /proc/uptime} and field 22 of
 * {@code /proc/self/stat} (proc(5)), in USER_HZ ticks, which are 100 a second on every Linux architecture
 * the JDK runs on.
 */
final class ProcessAge {
    static final Path UPTIME = Path.of("/proc/uptime");
    static final Path STAT = Path.of("/proc/self/stat");
    private static final int USER_HZ = 100;
    /** starttime's place in /proc/PID/stat, counting from 1 (proc(5)). */
    private static final int STARTTIME_FIELD = 22;

    private ProcessAge() {
    }

    /** Milliseconds since this process started, or empty where /proc cannot say. */
    static OptionalLong millis() {
        try {
            return millis(Files.readString(UPTIME, StandardCharsets.US_ASCII),
                    Files.readString(STAT, StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * From the texts of /proc/uptime ("12345.67 2345.89") and /proc/PID/stat, whose second field, the
     * command's name in parentheses, may itself hold spaces and parentheses.
     */
    static OptionalLong millis(String uptime, String stat) {
        String[] up = uptime.trim().split("\\s+");
        int close = stat.lastIndexOf(')');
        if (up.length < 1 || close < 0) {
            return OptionalLong.empty();
        }
        // After ") " comes field 3 (state).
        String[] fields = stat.substring(close + 1).trim().split("\\s+");
        int index = STARTTIME_FIELD - 3;
        if (fields.length <= index) {
            return OptionalLong.empty();
        }
        long uptimeCentis = Math.round(Double.parseDouble(up[0]) * 100);
        long startTicks = Long.parseLong(fields[index]);
        long age = (uptimeCentis * USER_HZ / 100 - startTicks) * 1000 / USER_HZ;
        return age < 0 ? OptionalLong.empty() : OptionalLong.of(age);
    }
}
