package org.quietbridge.bridge.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import org.quietbridge.bridge.forward.FailoverCounter;
import org.quietbridge.bridge.forward.FdbCounter;
import org.quietbridge.bridge.forward.LoadCounter;
import org.quietbridge.bridge.forward.PortCounter;
import org.quietbridge.frame.Malformation;

/**
 * A backend with every feature (NLB, top talkers, reload) and counters that move: each
 * {@link #tick} adds one round of traffic to every port, with exactly {@link #REMOVED_PERCENT}%
 * of the broadcast/multicast frames removed, so a share computed at any moment is that figure.
 * Counts every call, so tests can check that a bad request never reached it. Thread-safe.
 */
final class FakeBackend implements ManagementBackend {
    static final int REMOVED_PERCENT = 48;
    /** Broadcast/multicast frames each port receives per tick. */
    static final long BM_PER_TICK = 250;

    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger reloadCalls = new AtomicInteger();
    final AtomicInteger fdbCalls = new AtomicInteger();

    private final LongSupplier clockMillis;
    private final List<String> ports = List.of("ap0", "core0");
    private final long startMillis;
    private long ticks;
    private long reloads;
    private long reloadFailures;
    private List<RuleInfo> rules = new ArrayList<>(List.of(
            new RuleInfo("netbios-broadcast-l2", "drop", 0, "1 netbios-broadcast-l2 drop udp dst_port 137-138"),
            new RuleInfo("netbios-broadcast-l3", "drop", 0, "2 netbios-broadcast-l3 drop udp ipv4_dst_class broadcast"),
            new RuleInfo("count-llmnr", "count", 0, "3 count-llmnr count udp dst_port 5355")));
    private final List<Drop> drops = new ArrayList<>();
    private CompletableFuture<List<FdbEntry>> fdbAnswer = CompletableFuture.completedFuture(List.of(
            new FdbEntry("02:00:00:00:00:0a", -1, "ap0", false, 1.5),
            new FdbEntry("02:00:00:00:00:0b", 10, "core0", true, 0)));
    private CompletableFuture<ReloadResult> reloadAnswer =
            CompletableFuture.completedFuture(ReloadResult.applied("configuration reloaded: 3 rules", "abc123"));
    private RuntimeException statusFailure;

    FakeBackend(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        this.startMillis = clockMillis.getAsLong();
    }

    FakeBackend() {
        this(System::currentTimeMillis);
    }

    private record Drop(long atMillis, String mac, String rule) {
    }

    /** One round of traffic: per port BM_PER_TICK broadcast/multicast in, 52% of them forwarded. */
    synchronized void tick() {
        ticks++;
        long now = clockMillis.getAsLong();
        List<RuleInfo> next = new ArrayList<>();
        for (RuleInfo r : rules) {
            long add = switch (r.name()) {
                case "netbios-broadcast-l2" -> 2 * BM_PER_TICK * REMOVED_PERCENT / 100;
                case "count-llmnr" -> 7;
                default -> 0;
            };
            next.add(new RuleInfo(r.name(), r.action(), r.hits() + add, r.description()));
        }
        rules = next;
        drops.add(new Drop(now, "02:00:00:00:01:01", "netbios-broadcast-l2"));
        drops.add(new Drop(now, "02:00:00:00:01:01", "netbios-broadcast-l2"));
        drops.add(new Drop(now, "02:00:00:00:01:02", "netbios-broadcast-l2"));
    }

    /** A dropped frame from {@code mac} at {@code atMillis}, for window tests. */
    synchronized void dropped(long atMillis, String mac, String rule) {
        drops.add(new Drop(atMillis, mac, rule));
    }

    synchronized void answerFdbWith(CompletableFuture<List<FdbEntry>> answer) {
        this.fdbAnswer = answer;
    }

    synchronized void answerReloadWith(CompletableFuture<ReloadResult> answer) {
        this.reloadAnswer = answer;
    }

    synchronized void failStatusWith(RuntimeException e) {
        this.statusFailure = e;
    }

    synchronized void renameFirstRule(String name) {
        RuleInfo r = rules.getFirst();
        rules.set(0, new RuleInfo(name, r.action(), r.hits(), r.description()));
    }

    synchronized long ticks() {
        return ticks;
    }

    @Override
    public synchronized StatusInfo status() {
        calls.incrementAndGet();
        if (statusFailure != null) {
            throw statusFailure;
        }
        return new StatusInfo("1.2.3-test", (clockMillis.getAsLong() - startMillis) / 1000.0, 4242, true, "enforce",
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", rules.size(),
                List.of(new StatusInfo.Port("ap0", 1500, "up"), new StatusInfo.Port("core0", 1500, "up")),
                new StatusInfo.Failover("kernel", false));
    }

    @Override
    public synchronized DataPlaneCounters counters() {
        calls.incrementAndGet();
        List<DataPlaneCounters.Port> out = new ArrayList<>();
        for (int p = 0; p < ports.size(); p++) {
            long[] v = new long[PortCounter.values().length];
            long bm = ticks * BM_PER_TICK;
            long removed = bm * REMOVED_PERCENT / 100;
            v[PortCounter.RX_FRAMES.id()] = ticks * 1000 + p;
            v[PortCounter.RX_BYTES.id()] = ticks * 640_000;
            v[PortCounter.TX_FRAMES.id()] = ticks * 900;
            v[PortCounter.TX_BYTES.id()] = ticks * 600_000;
            v[PortCounter.RX_BROADCAST_MULTICAST.id()] = bm;
            v[PortCounter.FORWARDED_BROADCAST_MULTICAST.id()] = bm - removed;
            v[PortCounter.DROP_RULE.id()] = removed;
            v[PortCounter.DROP_SAME_PORT.id()] = ticks * 3;
            v[PortCounter.MALFORMED.id()] = p;
            v[PortCounter.FLOODED.id()] = ticks * 20;
            out.add(new DataPlaneCounters.Port(ports.get(p), v));
        }
        long[] fdb = new long[FdbCounter.values().length];
        fdb[FdbCounter.ENTRIES.id()] = 2;
        fdb[FdbCounter.LEARNED.id()] = 5 + ticks;
        long[] malformed = new long[Malformation.values().length];
        malformed[Malformation.RUNT.ordinal()] = 1;
        long[] load = new long[LoadCounter.values().length];
        load[LoadCounter.BUSY_ROUNDS.id()] = ticks * 10;
        load[LoadCounter.FRAMES.id()] = ticks * 2500;
        load[LoadCounter.BUSY_NANOS.id()] = ticks * 500_000_000L;
        long[] failover = new long[FailoverCounter.values().length];
        failover[FailoverCounter.TAKEN_AT_START.id()] = 1;
        return new DataPlaneCounters(clockMillis.getAsLong(), out, fdb, malformed, load, failover, false, reloads,
                reloadFailures, 0);
    }

    @Override
    public synchronized CompletableFuture<List<FdbEntry>> fdb() {
        calls.incrementAndGet();
        fdbCalls.incrementAndGet();
        return fdbAnswer;
    }

    @Override
    public synchronized List<RuleInfo> rules() {
        calls.incrementAndGet();
        return List.copyOf(rules);
    }

    @Override
    public synchronized ArpInfo arp() {
        calls.incrementAndGet();
        Map<String, Long> counters = new java.util.LinkedHashMap<>();
        for (org.quietbridge.bridge.forward.ArpCounter c : org.quietbridge.bridge.forward.ArpCounter.values()) {
            counters.put(c.label(), 0L);
        }
        counters.put("rewritten", 30 * ticks);
        counters.put("same_side", 4L);
        counters.put("bindings", 2L);
        counters.put("moved", 1L);
        return new ArpInfo("unicast", counters, List.of());
    }

    @Override
    public synchronized CompletableFuture<ArpInfo> arpBindings() {
        ArpInfo counted = arp();
        return CompletableFuture.completedFuture(new ArpInfo(counted.mode(), counted.counters(),
                List.of(new ArpInfo.Binding("10.8.1.1", -1, "02:00:00:00:00:01", "core0", 2.5),
                        new ArpInfo.Binding("10.8.1.20", 10, "02:00:00:00:00:14", "ap0", 0.5))));
    }

    @Override
    public synchronized List<StormLimitInfo> storms() {
        calls.incrementAndGet();
        return List.of(new StormLimitInfo("ap0", "broadcast", 500, 400, "drop", ticks > 0, ticks, 90 * ticks, 0,
                ticks > 0 ? "02:00:00:00:5a:5a" : null, 9000));
    }

    @Override
    public synchronized List<NlbClusterInfo> nlb() {
        calls.incrementAndGet();
        return List.of(new NlbClusterInfo("10.8.1.50", -1, "02:bf:0a:08:01:32", "unicast", List.of("core0"), false,
                40 * ticks, 12 * ticks, 3, 1));
    }

    @Override
    public synchronized CompletableFuture<List<TopTalker>> topTalkers(int minutes, int limit) {
        calls.incrementAndGet();
        long since = clockMillis.getAsLong() - minutes * 60_000L;
        Map<String, long[]> counts = new HashMap<>();
        Map<String, String> lastRule = new HashMap<>();
        for (Drop d : drops) {
            if (d.atMillis() >= since) {
                counts.computeIfAbsent(d.mac(), k -> new long[1])[0]++;
                lastRule.put(d.mac(), d.rule());
            }
        }
        return CompletableFuture.completedFuture(counts.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0])
                        .thenComparing(Map.Entry::getKey))
                .limit(limit)
                .map(e -> new TopTalker(e.getKey(), e.getValue()[0], lastRule.get(e.getKey())))
                .toList());
    }

    @Override
    public synchronized CompletableFuture<ReloadResult> reload() {
        calls.incrementAndGet();
        reloadCalls.incrementAndGet();
        return reloadAnswer.thenApply(r -> {
            synchronized (this) {
                if (r.ok()) {
                    reloads++;
                } else if (r.outcome() == ReloadResult.Outcome.REJECTED) {
                    reloadFailures++;
                }
            }
            return r;
        });
    }
}
