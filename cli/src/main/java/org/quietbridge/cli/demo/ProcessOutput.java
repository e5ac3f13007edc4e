package org.quietbridge.cli.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The lines a started process prints, standard output and error together, read as they come by
 * two virtual threads, so that the process never blocks on a full pipe and the demo can wait for
 * a line ("forwarding between", "listening on") instead of sleeping.
 *
 * <p>Pipes, not files: on Debian, AppArmor confines tcpdump, and a profile that does not allow
 * writing a file also takes away a file descriptor that points to one; a pipe it keeps.
 */
final class ProcessOutput {
    private final List<String> lines = new ArrayList<>();
    private int openStreams = 2;

    private ProcessOutput() {
    }

    /** Starts reading both output streams of {@code process}. */
    static ProcessOutput of(Process process) {
        ProcessOutput output = new ProcessOutput();
        output.read(process.getInputStream());
        output.read(process.getErrorStream());
        return output;
    }

    /** Every line read so far, in the order they arrived. */
    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The last line that is not blank, or "" when there is none: for a one-line failure message. */
    synchronized String lastLine() {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                return lines.get(i).strip();
            }
        }
        return "";
    }

    /**
     * Waits until a line matches {@code wanted}, both streams are closed (the process ended), or
     * {@code limit} passed.
     *
     * @return the first matching line, if one came in time
     */
    synchronized Optional<String> await(Predicate<String> wanted, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        int checked = 0;
        while (true) {
            for (; checked < lines.size(); checked++) {
                if (wanted.test(lines.get(checked))) {
                    return Optional.of(lines.get(checked));
                }
            }
            long left = deadline - System.nanoTime();
            if (openStreams == 0 || left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Waits until both streams are closed, at most {@code limit}; returns whether they are. */
    synchronized boolean awaitClosed(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (openStreams > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    private void read(InputStream stream) {
        Thread.ofVirtual().name("process-output").start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    add(line);
                }
            } catch (IOException e) {
                // The process ended or was killed; what was read so far is all there is.
            } finally {
                closed();
            }
        });
    }

    private synchronized void add(String line) {
        lines.add(line);
        notifyAll();
    }

    private synchronized void closed() {
        openStreams--;
        notifyAll();
    }
}
