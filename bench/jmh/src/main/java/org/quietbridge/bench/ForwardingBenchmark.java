package org.quietbridge.bench;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.bridge.forward.BridgeSettings;
import org.quietbridge.bridge.forward.NlbMode;
import org.quietbridge.bridge.forward.NlbSettings;
import org.quietbridge.bridge.forward.PortCounter;
import org.quietbridge.bridge.port.FramePort;
import org.quietbridge.bridge.port.Offload;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.RuleSetLoader;

/**
 * The forwarding logic per frame, on in-memory ports: one round of {@link BridgeAgent#doWork()} takes
 * {@value #BATCH} frames from port 0 and forwards each to port 1: decode, MAC learning, the shipped
 * NetBIOS rules, NLB containment (on, learning from every frame), the MAC table lookup, the copy into a
 * TX slot, and the counters. Reported in ns per frame, for a 60-byte UDP frame, a 1514-byte TCP frame
 * and a 64 KiB TCP super-frame (decided once, copied whole, counted as its 45 segments).
 *
 * <p>Run with {@code bench/microbench} (see bench/README.md); the goal is at most 100 ns per 60-byte
 * frame, room for 10 Mpps on faster I/O than AF_PACKET.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ForwardingBenchmark {
    /** Frames per round: the agent's default batch. */
    static final int BATCH = BridgeSettings.DEFAULT_BATCH_SIZE;
    private static final String A = "02:00:00:00:00:0a";
    private static final String B = "02:00:00:00:00:0b";
    private static final int MSS = 1448;

    /** 60: UDP; 1514: TCP, a full frame; 65536: a TCP super-frame of 45 segments. */
    @Param({"60", "1514", "65536"})
    public int size;

    private ReplayPort in;
    private ReplayPort out;
    private BridgeAgent agent;

    @Setup(Level.Trial)
    public void build() throws IOException {
        in = new ReplayPort("ap0", 1500, 70_000);
        out = new ReplayPort("core0", 1500, 70_000);
        BridgeSettings settings = BridgeSettings.defaults().withNlb(new NlbSettings(NlbMode.CONTAIN,
                BridgeSettings.DEFAULT_FDB_AGING_NANOS, 64, List.of()));
        agent = new BridgeAgent(new FramePort[] {in, out}, settings,
                CompiledRules.compile(RuleSetLoader.defaults(), null), System::nanoTime);
        // B answers once from port 1, so frames to it are forwarded, not flooded.
        out.replay(FrameBuilder.ethernet().src(B).dst(A).udp("10.0.0.2", "10.0.0.1", 9, 9).payload(18).build(),
                Offload.NONE, 1);
        agent.doWork();
        switch (size) {
            case 60 -> in.replay(FrameBuilder.ethernet().src(A).dst(B).udp("10.0.0.1", "10.0.0.2", 40000, 9)
                    .payload(18).build(), Offload.NONE, -1);
            case 1514 -> in.replay(FrameBuilder.ethernet().src(A).dst(B).tcp("10.0.0.1", "10.0.0.2", 40000, 445)
                    .payload(1514 - 54).build(), Offload.NONE, -1);
            case 65536 -> in.replay(FrameBuilder.ethernet().src(A).dst(B).tcp("10.0.0.1", "10.0.0.2", 40000, 445)
                    .payload(45 * MSS).build(), new Offload().set(1, 1, MSS, 54, 34, 16), -1);
            default -> throw new IllegalArgumentException("size " + size);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int forward() throws IOException {
        return agent.doWork();
    }

    @TearDown(Level.Trial)
    public void check() {
        if (agent.counter(1, PortCounter.TX_FRAMES) == 0 || agent.counter(0, PortCounter.FLOODED) > 0) {
            throw new IllegalStateException("the benchmark did not forward as meant: tx " + agent.counter(1,
                    PortCounter.TX_FRAMES) + ", flooded " + agent.counter(0, PortCounter.FLOODED));
        }
        in.close();
        out.close();
    }
}
