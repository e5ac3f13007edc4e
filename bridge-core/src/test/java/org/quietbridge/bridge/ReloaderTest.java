package org.quietbridge.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.quietbridge.bridge.config.BridgeConfig;
import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.bridge.forward.LinkLocalPolicy;
import org.quietbridge.bridge.port.MemoryPort;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.rules.Mode;

@Timeout(60)
class ReloaderTest {
    private static final String DROP_137 = """
            ports: [p0, p1]
            rules:
              - {name: no-137, match: {dst_port: 137}, action: drop}
            """;
    private static final String DROP_138 = """
            ports: [p0, p1]
            rules:
              - {name: no-138, match: {dst_port: 138}, action: drop}
              - {name: no-137, match: {dst_port: 137}, action: count}
            """;

    @TempDir
    Path dir;
    private final MemoryPort p0 = new MemoryPort("p0", 1500);
    private final MemoryPort p1 = new MemoryPort("p1", 1500);

    @AfterEach
    void close() {
        p0.close();
        p1.close();
    }

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("qb.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    /** A configuration file, the agent it configures (on the memory ports), and reloaders for it. */
    private record Running(Path file, BridgeConfig config, BridgeAgent agent) {
        Reloader reloader(boolean monitorOnly) {
            return new Reloader(agent, config, file, monitorOnly);
        }
    }

    private Running running(String yaml) throws IOException {
        Path file = write(yaml);
        BridgeConfig cfg = BridgeConfig.load(file);
        return new Running(file, cfg, new BridgeAgent(new MemoryPort[] {p0, p1}, cfg.settings(), cfg.compileRules(),
                System::nanoTime));
    }

    private static byte[] broadcastTo(int port) {
        return FrameBuilder.ethernet().src("02:00:00:00:00:0a").broadcast()
                .udp("10.0.0.1", "255.255.255.255", port, port).payload(10).build();
    }

    /** The data plane runs on its own thread, as in production; reloads come from this one. */
    private static Thread run(BridgeAgent agent, AtomicBoolean stop) {
        Thread t = new Thread(() -> {
            while (!stop.get()) {
                try {
                    agent.doWork();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        t.start();
        return t;
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 10 s");
            }
            Thread.sleep(1);
        }
    }

    @Test
    void swapsRulesKeepsHitCountsAndNeverTakesABrokenFile() throws Exception {
        Running bridge = running(DROP_137);
        Path file = bridge.file();
        BridgeAgent agent = bridge.agent();
        p1.retainTransmitted(true);
        Reloader reloader = bridge.reloader(false);
        AtomicBoolean stop = new AtomicBoolean();
        Thread dataPlane = run(agent, stop);
        try {
            // Enforce DROP_137: a 137 broadcast is dropped, a 138 one passes.
            p0.inject(broadcastTo(137));
            await(() -> agent.rules().hits(0) == 1);

            write(DROP_138);
            Reloader.Result ok = reloader.reload();
            assertTrue(ok.ok(), ok.message());
            assertEquals(List.of("no-138", "no-137"), List.of(agent.rules().name(0), agent.rules().name(1)));

            write("ports: [p0, p1]\nrules:\n  - {name: x, match: {dst_port: 99999}, action: drop}\n");
            Reloader.Result bad = reloader.reload();
            assertFalse(bad.ok());
            assertTrue(bad.message().startsWith(file + ":3:"), bad.message());
            assertEquals(1, reloader.failures());
            assertEquals("no-138", agent.rules().name(0), "the broken file never took effect");

            await(() -> agent.rules().hits(1) == 1); // no-137's hit carried over to the new rule set
        } finally {
            stop.set(true);
            dataPlane.join();
        }
    }

    /** No data-plane round between the reload and the read: the hits are there already. */
    @Test
    void hitsOfSameNamedRulesAreVisibleAsSoonAsTheReloadAnswers() throws Exception {
        Running bridge = running(DROP_137);
        BridgeAgent agent = bridge.agent();
        p0.inject(broadcastTo(137));
        p0.inject(broadcastTo(137));
        agent.doWork();
        assertEquals(2, agent.rules().hits(0));

        write(DROP_138);
        assertTrue(bridge.reloader(false).reload().ok());
        assertEquals("no-137", agent.rules().name(1));
        assertEquals(2, agent.rules().hits(1), "carried over before the data plane's next round");
        assertEquals(0, agent.rules().hits(0), "a new name starts at 0");
        p0.inject(broadcastTo(137));
        agent.doWork();
        assertEquals(3, agent.rules().hits(1), "and counted on exactly after the swap");
    }

    @Test
    void refusesAChangedPortSetAndChangesNothing() throws Exception {
        Running bridge = running(DROP_137);
        BridgeAgent agent = bridge.agent();
        Reloader reloader = bridge.reloader(false);
        write("ports: [p0, p2]\n");
        Reloader.Result r = reloader.reload();
        assertFalse(r.ok());
        assertTrue(r.message().contains("changing the port set needs a restart"), r.message());
        assertEquals("no-137", agent.rules().name(0));
    }

    @Test
    void refusesAChangedApiSectionWithoutShowingTheTokenAndChangesNothing() throws Exception {
        Running bridge = running(DROP_137 + "api: {token: first-token}\n");
        BridgeAgent agent = bridge.agent();
        Reloader reloader = bridge.reloader(false);
        for (String api : List.of("api: {token: second-token}\n", "api: {listen: 127.0.0.1:9701, token: first-token}\n",
                "api: off\n")) {
            write(DROP_138 + api);
            Reloader.Result r = reloader.reload();
            assertFalse(r.ok(), api);
            assertTrue(r.message().contains("the api section changed") && r.message().contains("needs a restart"),
                    r.message());
            assertFalse(r.message().contains("first-token") || r.message().contains("second-token"), r.message());
            assertEquals("no-137", agent.rules().name(0), "nothing was reloaded");
        }
        assertEquals(3, reloader.failures());
        write(DROP_138 + "api: {token: first-token}\n");
        assertTrue(reloader.reload().ok(), "the same api section reloads");
    }

    @Test
    void appliesFdbAndLinkLocalSettingsAndTheMonitorOverride() throws Exception {
        Running bridge = running(DROP_137);
        BridgeAgent agent = bridge.agent();
        Reloader reloader = bridge.reloader(true);
        write(DROP_137 + "fdb: {max_entries: 2, aging: 30}\nlink_local: drop\n");
        AtomicBoolean stop = new AtomicBoolean();
        Thread dataPlane = run(agent, stop);
        try {
            Reloader.Result r = reloader.reload();
            assertTrue(r.ok(), r.message());
            assertEquals(Mode.MONITOR, agent.rules().mode(), "run --monitor holds across reloads");
            assertEquals(2, reloader.current().settings().fdbMaxEntries());
            assertEquals(LinkLocalPolicy.DROP, reloader.current().settings().linkLocal());
            int[] limit = {0};
            java.util.concurrent.CountDownLatch seen = new java.util.concurrent.CountDownLatch(1);
            agent.submit(() -> {
                limit[0] = agent.fdb().limit();
                seen.countDown();
            });
            seen.await();
            assertEquals(2, limit[0]);
        } finally {
            stop.set(true);
            dataPlane.join();
        }
    }

    @Test
    void everyOutcomeReachesTheListenerWhoeverAskedForTheReload() throws Exception {
        Running bridge = running(DROP_137);
        BridgeAgent agent = bridge.agent();
        Reloader reloader = bridge.reloader(false);
        List<Reloader.Result> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        reloader.onResult(heard::add);
        write("ports: [p0, p1]\nmode: sideways\n");
        Reloader.Result refused = reloader.reload();
        write(DROP_138);
        Reloader.Result applied = reloader.reload();
        assertEquals(List.of(refused, applied), heard);
        assertFalse(heard.get(0).ok());
        assertTrue(heard.get(1).ok());
    }

    @Test
    void refusesRingChangesAsNeedingARestart() throws Exception {
        Running bridge = running(DROP_137);
        BridgeAgent agent = bridge.agent();
        Reloader reloader = bridge.reloader(false);
        for (String ring : List.of("ring: {frames: 1024}\n", "ring: {version: 3}\n")) {
            write(DROP_138 + ring);
            Reloader.Result r = reloader.reload();
            assertFalse(r.ok(), ring);
            assertTrue(r.message().contains("need a restart"), r.message());
            assertEquals("no-137", agent.rules().name(0), "nothing was reloaded");
        }
        assertEquals(2, reloader.failures());
    }

    @Test
    void refusesFailoverAndLinkStateChangesAsNeedingARestart() throws Exception {
        Running bridge = running(DROP_137);
        Reloader reloader = bridge.reloader(false);
        for (String change : List.of("failover: off\n", "failover: {mode: kernel, timeout: 500}\n",
                "link_state: propagate\n")) {
            write(DROP_138 + change);
            Reloader.Result r = reloader.reload();
            assertFalse(r.ok(), change);
            assertTrue(r.message().contains("needs a restart for that, nothing was reloaded"), r.message());
            assertEquals("no-137", bridge.agent().rules().name(0), "nothing was reloaded");
        }
        assertEquals(3, reloader.failures());
    }
}
