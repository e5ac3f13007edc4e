package org.quietbridge.bridge;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.quietbridge.bridge.config.ManagementSettings;
import org.quietbridge.bridge.config.BridgeConfig;
import org.quietbridge.bridge.failover.FallbackRules;
import org.quietbridge.bridge.failover.KernelFallback;
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
 * aging, static MACs and link-local handling change live; a different port set, ring size or
 * {@code api:} section (listen address, token) needs a restart, and the reload says so (and
 * changes nothing): the management server reads its address and token once, when it starts, and
 * a reload that answered "reloaded" would leave an operator who rotated a token believing the
 * old one no longer works.
 *
 * <p>SIGHUP, {@code POST /api/reload} and {@code quietbridge reload} all end here; calls are
 * serialised.
 */
public final class Reloader {
    private final BridgeAgent agent;
    private final Path file;
    private final boolean monitorOnly;
    private final KernelFallback fallback;
    private volatile java.util.function.Consumer<Result> listener = r -> { };
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastError = "";
    private BridgeConfig current;

    /**
     * @param monitorOnly {@code run --monitor}: every reloaded configuration is made
     *     {@link BridgeConfig#monitorOnly()}, so the flag holds across reloads
     */
    public Reloader(BridgeAgent agent, BridgeConfig running, Path file, boolean monitorOnly) {
        this(agent, running, file, monitorOnly, null);
    }

    /**
     * @param fallback the kernel's stand-in, which a reload gives the new rules too; null when failover
     *     is off
     */
    public Reloader(BridgeAgent agent, BridgeConfig running, Path file, boolean monitorOnly, KernelFallback fallback) {
        this.agent = agent;
        this.file = file;
        this.fallback = fallback;
        this.monitorOnly = monitorOnly;
        this.current = running;
    }

    /** A reloader for a running bridge. */
    public static Reloader of(Bridge bridge, Path file, boolean monitorOnly) {
        return new Reloader(bridge.agent(), bridge.config(), file, monitorOnly, bridge.fallback());
    }

    /** What a reload did. */
    public record Result(boolean ok, String message) {
    }

    /**
     * Tells {@code listener} the outcome of every reload, whoever asked for it (SIGHUP, the API,
     * {@code quietbridge reload}): {@code run} logs them all.
     */
    public void onResult(java.util.function.Consumer<Result> listener) {
        this.listener = listener;
    }

    public synchronized Result reload() {
        Result r = apply();
        listener.accept(r);
        return r;
    }

    private Result apply() {
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
            if (!next.ring().equals(current.ring())) {
                return failed(file + ": the ring section changed (" + current.ring().describe() + " -> "
                        + next.ring().describe() + "); the rings need a restart, nothing was reloaded");
            }
            if (!Objects.equals(next.api(), current.api())) {
                return failed(file + ": the api section changed (" + apiChange(current.api(), next.api())
                        + "); the management API needs a restart for that, nothing was reloaded");
            }
            rules = next.compileRules();
        } catch (ConfigException e) {
            return failed(e.getMessage());
        } catch (RuntimeException e) {
            return failed(file + ": " + e.getMessage());
        }
        if (!next.failover().equals(current.failover())) {
            return failed(file + ": the failover section changed (" + current.failover().mode() + " -> "
                    + next.failover().mode() + "); the kernel's stand-in needs a restart for that, nothing was"
                    + " reloaded");
        }
        if (next.propagateLinkState() != current.propagateLinkState()) {
            return failed(file + ": link_state changed (" + linkState(current) + " -> " + linkState(next)
                    + "); the port watch needs a restart for that, nothing was reloaded");
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
        // Readers (the API, /metrics) see the published set at once, the data plane only from its
        // next round, when it carries the hits over exactly. Carrying them over here too keeps the
        // counters from reading 0 in between: to Prometheus a counter that goes back is a reset.
        rules.carryOverHits(agent.rules());
        agent.publishRules(rules);
        current = next;
        reloads.incrementAndGet();
        lastError = "";
        int n = rules.size();
        String standIn = "";
        if (fallback != null) {
            // Last: the data plane is what forwards; a stand-in that could not follow says so, and the next
            // reload tries again (it compares with what the kernel carries, not with the last file).
            try {
                fallback.updateIfChanged(FallbackRules.of(next.ruleSet(), next.settings().linkLocal()));
            } catch (IOException e) {
                standIn = "; but the kernel's stand-in still carries the earlier rules (" + e.getMessage() + ")";
            }
        }
        return new Result(true, file + ": reloaded, " + n + (n == 1 ? " rule" : " rules") + ", mode "
                + rules.mode().word() + ", digest " + rules.digest().substring(0, 12) + standIn);
    }

    /** Which part of {@code api:} changed, without showing a token. */
    private static String apiChange(ManagementSettings was, ManagementSettings now) {
        if (was == null || now == null) {
            return was == null ? "it was off" : "it is off now";
        }
        List<String> parts = new ArrayList<>();
        if (!was.host().equals(now.host()) || was.port() != now.port()) {
            parts.add("listen");
        }
        if (!Objects.equals(was.token(), now.token())) {
            parts.add("token");
        }
        if (was.maxBodyBytes() != now.maxBodyBytes()) {
            parts.add("body limit");
        }
        return String.join(", ", parts);
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

    private static String linkState(BridgeConfig c) {
        return c.propagateLinkState() ? "propagate" : "off";
    }
}
