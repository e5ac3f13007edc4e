package org.quietbridge.bridge.forward;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.port.MemoryPort;
import org.quietbridge.frame.VlanTag;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.RuleSetLoader;

/** The steady state of the data plane allocates nothing: STYLE.md rule 2, proven on a million frames. */
class BridgeAgentAllocationTest {

    private record Input(byte[] frame, int port, int tpid, int tci) {
    }

    @Test
    @Timeout(120)
    void forwardingAMillionFramesAllocatesNothing() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        MemoryPort a = new MemoryPort("a", 1500);
        MemoryPort b = new MemoryPort("b", 1500);
        MemoryPort c = new MemoryPort("c", 1500);
        for (MemoryPort p : List.of(a, b, c)) {
            p.retainTransmitted(false);
        }
        long[] clock = {0};
        BridgeAgent agent = new BridgeAgent(new MemoryPort[] {a, b, c}, BridgeSettings.defaults(),
                CompiledRules.compile(RuleSetLoader.defaults(), null), () -> clock[0]);
        MemoryPort[] ports = {a, b, c};
        List<Input> mix = List.of(
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("02:00:00:00:00:0b")
                        .udp("10.0.0.1", "10.0.0.2", 4000, 5000).payload(18).build(), 0, 0, 0),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0b").dst("02:00:00:00:00:0a")
                        .tcp("10.0.0.2", "10.0.0.1", 445, 50000).payload(1400).build(), 1, 0, 0),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0c").broadcast()
                        .udp("10.0.0.3", "10.0.0.255", 137, 137).payload(50).build(), 2, 0x8100, VlanTag.tci(0, false, 10)),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0c").dst("01:00:5e:00:00:fb")
                        .udp("10.0.0.3", "224.0.0.251", 5353, 5353).payload(40).build(), 2, 0x8100, 10),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").broadcast()
                        .arp(1, 0x0200_0000_000AL, "10.0.0.1", 0, "10.0.0.9").build(), 0, 0, 0),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("02:00:00:00:00:0a")
                        .udp("10.0.0.1", "10.0.0.1", 1, 2).ihl(3).build(), 0, 0, 0));
        int rounds = 1_000_000 / mix.size() + 1;
        // The harness itself must not allocate either: segments and inputs are prepared up front.
        Input[] inputs = mix.toArray(new Input[0]);
        java.lang.foreign.MemorySegment[] segments = new java.lang.foreign.MemorySegment[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            segments[i] = java.lang.foreign.MemorySegment.ofArray(inputs[i].frame());
        }
        Runnable oneRound = () -> {
            for (int i = 0; i < inputs.length; i++) {
                Input in = inputs[i];
                ports[in.port()].inject(segments[i], 0, in.frame().length, in.frame().length, in.tpid(), in.tci(),
                        false);
            }
        };
        // Warm up so the JIT has compiled the loop before we count.
        for (int i = 0; i < 50_000; i++) {
            oneRound.run();
            clock[0] += 1_000;
            agent.doWork();
        }
        // A JIT deoptimisation inside the window can allocate a few bytes once, at random; a
        // per-frame allocation shows in every window (16 bytes x 1M frames at the very least).
        // So: up to three windows of a million frames, and one of them must show exactly 0.
        long[] windows = new long[3];
        long frames = (long) rounds * mix.size();
        assertTrue(frames >= 1_000_000);
        for (int w = 0; w < windows.length; w++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++) {
                oneRound.run();
                clock[0] += 1_000;
                agent.doWork();
            }
            windows[w] = threads.getCurrentThreadAllocatedBytes() - before;
            if (windows[w] == 0) {
                break;
            }
        }
        assertTrue(java.util.Arrays.stream(windows).anyMatch(bytes -> bytes == 0),
                "bytes allocated per window of " + frames + " frames: " + java.util.Arrays.toString(windows));
        assertTrue(agent.counter(2, PortCounter.DROP_RULE) >= rounds, "the NetBIOS broadcast was dropped each round");
    }
}
