package org.quietbridge.bridge.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the management API needs from a running bridge. The server calls these methods from its
 * event-loop thread, never from the data-plane thread, so an implementation must only read
 * counters that any thread may read, or hand work to the data plane and answer through a future.
 *
 * <p>Methods that return a value directly must be cheap: they run on the thread that serves
 * every HTTP client. Work that needs the data-plane thread (the FDB) or that may take a while
 * (a reload reads and compiles a file) returns a {@link CompletableFuture}.
 */
public interface ManagementBackend {

    /** Version, uptime, ports, mode and rule-set digest. */
    StatusInfo status();

    /**
     * Every counter the data plane keeps, read now: per port, of the MAC table, of malformed
     * frames by reason, and of reloads. Read by {@code /metrics} and {@code /api/counters}.
     */
    DataPlaneCounters counters();

    /**
     * The MAC table, taken on the data-plane thread between two rounds. Completes exceptionally
     * when the data plane cannot take the request (its command queue is full); never completes
     * when the data plane has stopped (the server gives up after a few seconds). It may complete
     * on the data-plane thread: callers continue with an {@code *Async} method on their own
     * executor.
     */
    CompletableFuture<List<FdbEntry>> fdb();

    /** The rules of the rule set in use, in evaluation order, each with its hits. */
    List<RuleInfo> rules();

    /**
     * Microsoft NLB clusters the bridge contains, with their counters; empty when none. Read by
     * every {@code /metrics} scrape, so it must be cheap and safe on any thread: an
     * implementation whose cluster table belongs to the data plane answers from a snapshot the
     * data plane publishes.
     */
    List<NlbClusterInfo> nlb();

    /**
     * ARP containment's mode and counters, without the bindings; {@link ArpInfo#off()} when off. Read by every
     * {@code /metrics} scrape: cheap, and safe on any thread.
     */
    default ArpInfo arp() {
        return ArpInfo.off();
    }

    /**
     * ARP containment with its binding table, taken on the data-plane thread (as {@link #fdb()}).
     */
    default CompletableFuture<ArpInfo> arpBindings() {
        return CompletableFuture.completedFuture(arp());
    }

    /**
     * Storm control's limits and their counters, in configuration order; empty when none. Read by every
     * {@code /metrics} scrape: cheap, and safe on any thread.
     */
    default List<StormLimitInfo> storms() {
        return List.of();
    }

    /**
     * Source MACs that sent the most dropped frames in the last {@code minutes} minutes, most
     * first, at most {@code limit} of them. A future, because the per-source counts belong to the
     * data-plane thread; it may complete on that thread.
     *
     * @param minutes 1 to 60; the caller has checked it
     * @param limit 1 to 100; the caller has checked it
     */
    CompletableFuture<List<TopTalker>> topTalkers(int minutes, int limit);

    /** Re-reads the configuration and swaps in its rule set, or says why it cannot. */
    CompletableFuture<ReloadResult> reload();
}
