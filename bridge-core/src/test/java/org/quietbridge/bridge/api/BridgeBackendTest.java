package org.quietbridge.bridge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.bridge.forward.BridgeSettings;
import org.quietbridge.bridge.forward.FdbCounter;
import org.quietbridge.bridge.forward.LinkLocalPolicy;
import org.quietbridge.bridge.forward.PortCounter;
import org.quietbridge.bridge.port.MemoryPort;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.Malformation;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.Mode;
import org.quietbridge.rules.RuleSetLoader;

/** BridgeBackend over a real forwarding agent on in-memory ports, driven round by round. */
@Timeout(30)
class BridgeBackendTest {
    private static final String A = "02:00:00:00:00:0a";
    private static final String B = "02:00:00:00:00:0b";
    private static final String STATIC = "02:00:00:00:00:5a";

    private final List<MemoryPort> ports = new ArrayList<>();
    private final AtomicLong nanos = new AtomicLong(7_000_000_000L);
    private final AtomicBoolean forwarding = new AtomicBoolean(true);
    private BridgeAgent agent;
    private BridgeBackend backend;

    @AfterEach
    void closePorts() {
        ports.forEach(MemoryPort::close);
    }

    private void bridge(Mode mode) {
        MemoryPort[] p = {new MemoryPort("ap0", 1500), new MemoryPort("core0", 1500)};
        ports.addAll(List.of(p));
        BridgeSettings settings = new BridgeSettings(1024, 300_000_000_000L, LinkLocalPolicy.FORWARD, 64,
                List.of(new BridgeSettings.StaticMac(Ethernet.parseMac(STATIC), 10, 1)));
        agent = new BridgeAgent(p, settings, CompiledRules.compile(RuleSetLoader.defaults().withMode(mode), null),
                nanos::get);
        backend = new BridgeBackend(agent, "9.9.9", forwarding::get, () -> 3, nanos::get);
    }

    private void traffic() throws Exception {
        ports.get(0).inject(FrameBuilder.ethernet().src(A).dst(B).udp("10.0.0.1", "10.0.0.2", 40000, 9).payload(32).build());
        ports.get(0).inject(FrameBuilder.ethernet().src(A).broadcast().udp("10.0.0.1", "255.255.255.255", 137, 137)
                .payload(50).build());
        ports.get(1).inject(FrameBuilder.ethernet().src(B).broadcast().udp("10.0.0.2", "255.255.255.255", 67, 68)
                .payload(50).build());
        agent.doWork();
    }

    @Test
    void statusNamesPortsModeDigestAndUptime() {
        bridge(Mode.ENFORCE);
        nanos.addAndGet(2_500_000_000L);
        StatusInfo s = backend.status();
        assertEquals("9.9.9", s.version());
        assertEquals(2.5, s.uptimeSeconds(), 1e-9);
        assertEquals(ProcessHandle.current().pid(), s.pid());
        assertTrue(s.forwarding());
        assertEquals("enforce", s.mode());
        assertEquals(agent.rules().digest(), s.rulesDigest());
        assertEquals(agent.rules().size(), s.ruleCount());
        assertEquals(List.of(new StatusInfo.Port("ap0", 1500, "up"), new StatusInfo.Port("core0", 1500, "up")), s.ports());
        forwarding.set(false);
        assertFalse(backend.status().forwarding());
    }

    @Test
    void countersAreTheAgentsCounters() throws Exception {
        bridge(Mode.ENFORCE);
        traffic();
        DataPlaneCounters c = backend.counters();
        assertEquals(List.of("ap0", "core0"), c.ports().stream().map(DataPlaneCounters.Port::name).toList());
        for (int p = 0; p < 2; p++) {
            for (PortCounter pc : PortCounter.values()) {
                assertEquals(agent.counter(p, pc), c.ports().get(p).get(pc), pc.label());
            }
        }
        assertEquals(2, c.ports().get(0).get(PortCounter.RX_FRAMES));
        assertEquals(1, c.ports().get(0).get(PortCounter.RX_BROADCAST_MULTICAST));
        assertEquals(0, c.ports().get(0).get(PortCounter.FORWARDED_BROADCAST_MULTICAST), "the NetBIOS broadcast was dropped");
        assertEquals(1, c.ports().get(0).get(PortCounter.DROP_RULE));
        assertEquals(1, c.ports().get(1).get(PortCounter.FORWARDED_BROADCAST_MULTICAST), "DHCP passes");
        for (FdbCounter fc : FdbCounter.values()) {
            assertEquals(agent.counter(fc), c.fdb(fc), fc.label());
        }
        assertEquals(2, c.fdb(FdbCounter.LEARNED));
        for (Malformation m : Malformation.values()) {
            assertEquals(agent.malformed(m), c.malformed(m));
        }
        assertEquals(3, c.dataPlaneErrors());
        assertEquals(nanos.get() / 1_000_000, c.monotonicMillis());
    }

    @Test
    void fdbIsCopiedOnTheDataPlaneBetweenTwoRounds() throws Exception {
        bridge(Mode.ENFORCE);
        traffic();
        nanos.addAndGet(4_000_000_000L);
        CompletableFuture<List<FdbEntry>> fdb = backend.fdb();
        assertFalse(fdb.isDone(), "only the data-plane thread reads the table");
        agent.doWork();
        List<FdbEntry> entries = new ArrayList<>(fdb.join());
        entries.sort(java.util.Comparator.comparing(FdbEntry::mac));
        assertEquals(List.of(
                new FdbEntry(A, -1, "ap0", false, 4.0),
                new FdbEntry(B, -1, "core0", false, 4.0),
                new FdbEntry(STATIC, 10, "core0", true, 0)), entries);
    }

    @Test
    void fdbFailsAtOnceWhenTheCommandQueueIsFull() {
        bridge(Mode.ENFORCE);
        for (int i = 0; i < BridgeAgent.COMMAND_QUEUE_LIMIT; i++) {
            assertTrue(agent.submit(() -> { }));
        }
        CompletableFuture<List<FdbEntry>> fdb = backend.fdb();
        CompletionException e = assertThrows(CompletionException.class, fdb::join);
        assertInstanceOf(RejectedExecutionException.class, e.getCause());
    }

    @Test
    void rulesCarryHitsAndTheActionTaken() throws Exception {
        bridge(Mode.MONITOR);
        traffic();
        List<RuleInfo> rules = backend.rules();
        CompiledRules compiled = agent.rules();
        assertEquals(compiled.size(), rules.size());
        long hits = 0;
        for (int i = 0; i < rules.size(); i++) {
            assertEquals(compiled.name(i), rules.get(i).name());
            assertEquals(compiled.hits(i), rules.get(i).hits());
            assertEquals("count", rules.get(i).action(), "monitor mode counts what it would drop");
            assertTrue(rules.get(i).description().contains(compiled.name(i)));
            hits += rules.get(i).hits();
        }
        assertEquals(1, hits);
        assertEquals("monitor", backend.status().mode());
    }

    /** A backend whose data plane refuses every command; the rest as {@code delegate} says. */
    static final class Refusing implements ManagementBackend {
        private final ManagementBackend delegate;

        Refusing(ManagementBackend delegate) {
            this.delegate = delegate;
        }

        @Override
        public StatusInfo status() {
            return delegate.status();
        }

        @Override
        public DataPlaneCounters counters() {
            return delegate.counters();
        }

        @Override
        public CompletableFuture<List<FdbEntry>> fdb() {
            return CompletableFuture.failedFuture(new RejectedExecutionException("the data plane's command queue is full"));
        }

        @Override
        public List<RuleInfo> rules() {
            return delegate.rules();
        }

        @Override
        public List<NlbClusterInfo> nlb() {
            return delegate.nlb();
        }

        @Override
        public CompletableFuture<List<TopTalker>> topTalkers(int minutes, int limit) {
            return CompletableFuture.failedFuture(new RejectedExecutionException("the data plane's command queue is full"));
        }

        @Override
        public CompletableFuture<ReloadResult> reload() {
            return delegate.reload();
        }
    }

    @Test
    void aSubclassReachesDataPlaneStateThroughOnDataPlane() throws Exception {
        bridge(Mode.ENFORCE);
        // As a backend with per-source drop counts would: ask the data plane, answer from it.
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        BridgeBackend wired = new BridgeBackend(agent, "x", () -> true, () -> 0, nanos::get) {
            @Override
            public CompletableFuture<List<TopTalker>> topTalkers(int minutes, int limit) {
                return onDataPlane(() -> {
                    ranOn.set(Thread.currentThread());
                    return List.of(new TopTalker(A, agent().counter(0, PortCounter.DROP_RULE), null));
                });
            }

            @Override
            protected long reloads() {
                return 4;
            }
        };
        traffic();
        CompletableFuture<List<TopTalker>> top = wired.topTalkers(10, 20);
        assertFalse(top.isDone());
        agent.doWork(); // this thread is the data plane here
        assertEquals(List.of(new TopTalker(A, 1, null)), top.join());
        assertEquals(Thread.currentThread(), ranOn.get());
        assertEquals(4, wired.counters().reloads());
    }

    @Test
    void topTalkersComeFromTheDataPlaneBetweenTwoRounds() throws Exception {
        bridge(Mode.ENFORCE);
        traffic();
        CompletableFuture<List<TopTalker>> top = backend.topTalkers(10, 20);
        assertFalse(top.isDone(), "ranked on the data-plane thread, not the caller's");
        agent.doWork();
        assertEquals(List.of(new TopTalker(A, 1, "netbios-broadcast-l2")), top.get(5, java.util.concurrent.TimeUnit.SECONDS));
    }

    @Test
    void whatABareBridgeLacksAnswersAsNothing() throws Exception {
        bridge(Mode.ENFORCE);
        assertEquals(List.of(), backend.nlb(), "NLB containment is off");
        ReloadResult r = backend.reload().get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(ReloadResult.Outcome.UNAVAILABLE, r.outcome());
        assertFalse(r.ok());
        assertEquals(0, backend.counters().reloads());
    }
}
