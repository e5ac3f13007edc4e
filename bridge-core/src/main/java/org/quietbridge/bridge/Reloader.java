package org.quietbridge.bridge;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.quietbridge.bridge.config.BridgeConfig;
import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.ConfigException;

/**
 * Hot reload: re-reads the configuration file, validates and compiles it on the caller's
 * thread (never the data plane's), and hands the result to the data plane, which swaps it in
 * between two rounds. Not one frame is dropped or duplicated by the swap itself, and per-rule
 * hit counters carry over for rules with the same name.
 *
 * <p>A broken file changes nothing: the running rules stay, and the error
 * ({@code file:line:column: message}) is returned and counted. Rules, mode, FDB limits and
 * aging, static MACs and link-local handling change live; a different port set needs a
 * restart, and the reload says so (and changes nothing).
 *
 * <p>SIGHUP, {@code POST /api/reload} and {@code quietbridge reload} all end here; calls are
 * serialised.
 */
public final class Reloader {
    private final BridgeAgent agent;
    private final Path file;
    private final boolean monitorOnly;
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastError = "";
    private BridgeConfig current;

    /**
     * @param monitorOnly {@code run --monitor}: every reloaded configuration is made
     *     {@link BridgeConfig#monitorOnly()}, so the flag holds across reloads
     */
    public Reloader(BridgeAgent agent, BridgeConfig running, Path file, boolean monitorOnly) {
        this.agent = agent;
        this.file = file;
        this.monitorOnly = monitorOnly;
        this.current = running;
    }

    /** A reloader for a running bridge. */
    public static Reloader of(Bridge bridge, Path file, boolean monitorOnly) {
        return new Reloader(bridge.agent(), bridge.config(), file, monitorOnly);
    }

    /** What a reload did. */
    public record Result(boolean ok, String message) {
    }

    public synchronized Result reload() {
        BridgeConfig next;
        CompiledRules rules;
        try {
            next = BridgeConfig.load(file);
            if (monitorOnly) {
                next = next.monitorOnly();
            }
            if (!next.ports().equals(current.ports())) {
                return failed(file + ": the ports changed (" + String.join(", ", current.ports()) + " -> "
                        + String.join(", ", next.ports()) + "); changing the port set needs a restart, nothing was"
                        + " reloaded");
            }
            if (next.ringFrames() != current.ringFrames()) {
                return failed(file + ": ring.frames changed (" + current.ringFrames() + " -> " + next.ringFrames()
                        + "); ring sizes need a restart, nothing was reloaded");
            }
            if (next.ringVersion() != current.ringVersion() || next.ringBlockTimeout() != current.ringBlockTimeout()) {
                return failed(file + ": ring.version or ring.block_timeout changed (" + current.ringVersion().number()
                        + "/" + current.ringBlockTimeout() + " -> " + next.ringVersion().number() + "/"
                        + next.ringBlockTimeout() + "); the rings need a restart, nothing was reloaded");
            }
            rules = next.compileRules();
        } catch (ConfigException e) {
            return failed(e.getMessage());
        } catch (RuntimeException e) {
            return failed(file + ": " + e.getMessage());
        }
        if (!next.settings().equals(current.settings())) {
            BridgeConfig applied = next;
            CompletableFuture<Void> done = new CompletableFuture<>();
            if (!agent.submit(() -> {
                agent.reconfigure(applied.settings());
                done.complete(null);
            })) {
                return failed("the data plane's command queue is full; nothing was reloaded, try again");
            }
            try {
                done.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                return failed("the data plane did not take the new settings in 5 s: " + e);
            }
        }
        agent.publishRules(rules);
        current = next;
        reloads.incrementAndGet();
        lastError = "";
        int n = rules.size();
        return new Result(true, file + ": reloaded, " + n + (n == 1 ? " rule" : " rules") + ", mode "
                + rules.mode().word() + ", digest " + rules.digest().substring(0, 12));
    }

    private Result failed(String message) {
        failures.incrementAndGet();
        lastError = message;
        return new Result(false, message);
    }

    /** Successful reloads. */
    public long reloads() {
        return reloads.get();
    }

    /** Reloads that changed nothing because the file or the change was bad. */
    public long failures() {
        return failures.get();
    }

    /** The last failure's message, or "" after a success. */
    public String lastError() {
        return lastError;
    }

    /** The configuration in force. */
    public synchronized BridgeConfig current() {
        return current;
    }
}
