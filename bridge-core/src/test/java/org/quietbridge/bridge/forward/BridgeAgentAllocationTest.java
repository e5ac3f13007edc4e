package org.quietbridge.bridge.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.function.IntConsumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.port.MemoryPort;
import org.quietbridge.bridge.port.Offload;
import org.quietbridge.bridge.sys.VirtioNetHdr;
import org.quietbridge.frame.NlbMac;
import org.quietbridge.frame.VlanTag;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.RuleSetLoader;

/**
 * The steady state of the data plane allocates nothing: STYLE.md rule 2, proven on a million frames (with the
 * kernel stand-in's gate held and the watchdog pinged from the loop).
 */
class BridgeAgentAllocationTest {

    /**
     * A frame injected on {@code port} in every round whose number is a multiple of {@code every}, with
     * what its virtio-net header would say.
     */
    private record Input(byte[] frame, int port, int tpid, int tci, int every, Offload offload) {
        Input(byte[] frame, int port, int tpid, int tci) {
            this(frame, port, tpid, tci, 1, Offload.NONE);
        }

        Input(byte[] frame, int port, int tpid, int tci, int every) {
            this(frame, port, tpid, tci, every, Offload.NONE);
        }
    }

    @Test
    @Timeout(120)
    void forwardingAMillionFramesAllocatesNothing() throws Exception {
        MemoryPort[] ports = discardingPorts();
        long[] clock = {0};
        BridgeAgent agent = new BridgeAgent(ports, BridgeSettings.defaults(),
                CompiledRules.compile(RuleSetLoader.defaults(), null), () -> clock[0]);
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
                        .udp("10.0.0.1", "10.0.0.1", 1, 2).ihl(3).build(), 0, 0, 0),
                // A NetBIOS broadcast in two fragments: the first is dropped and remembered, the second follows it.
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").broadcast()
                        .udp("10.0.0.1", "10.0.0.255", 138, 138).firstFragment().payload(200).build(), 0, 0, 0),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").broadcast()
                        .udp("10.0.0.1", "10.0.0.255", 138, 138).laterFragment(26, false).payload(100).build(), 0, 0, 0));
        CountingGate gate = new CountingGate();
        agent.standby(gate);
        agent.watchdog(gate);
        int rounds = forwardAMillion(agent, ports, mix, clock);
        assertTrue(agent.counter(2, PortCounter.DROP_RULE) >= rounds, "the NetBIOS broadcast was dropped each round");
        assertTrue(gate.holds >= rounds / 10 && gate.pings >= rounds / 10,
                "the gate was held and the watchdog pinged every 10 rounds: " + gate.holds + ", " + gate.pings);
    }

    /** The kernel's stand-in and the supervisor's watchdog, every 10 µs of the test's clock (10 rounds). */
    private static final class CountingGate implements StandbyGate, Watchdog {
        long holds;
        long pings;

        @Override
        public long timeoutNanos() {
            return 40_000;
        }

        @Override
        public boolean hold() {
            holds++;
            return true;
        }

        @Override
        public void release() {
        }

        @Override
        public long errors() {
            return 0;
        }

        @Override
        public void close() {
        }

        @Override
        public long intervalNanos() {
            return 10_000;
        }

        @Override
        public void ping() {
            pings++;
        }
    }

    /** Three in-memory ports, a, b and c, that keep nothing they are given to send. */
    private static MemoryPort[] discardingPorts() {
        MemoryPort[] ports = {new MemoryPort("a", 1500), new MemoryPort("b", 1500), new MemoryPort("c", 1500)};
        for (MemoryPort p : ports) {
            p.retainTransmitted(false);
        }
        return ports;
    }

    /** Warms up, then forwards windows of at least a million frames of {@code mix}; one must allocate 0 bytes. */
    private static int forwardAMillion(BridgeAgent agent, MemoryPort[] ports, List<Input> mix, long[] clock)
            throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long everyRound = mix.stream().filter(in -> in.every() == 1).count();
        int rounds = (int) (1_000_000 / everyRound + 1);
        // The harness itself must not allocate either: segments and inputs are prepared up front.
        Input[] inputs = mix.toArray(new Input[0]);
        java.lang.foreign.MemorySegment[] segments = new java.lang.foreign.MemorySegment[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            segments[i] = java.lang.foreign.MemorySegment.ofArray(inputs[i].frame());
        }
        IntConsumer oneRound = round -> {
            for (int i = 0; i < inputs.length; i++) {
                Input in = inputs[i];
                if (round % in.every() == 0) {
                    ports[in.port()].inject(segments[i], 0, in.frame().length, in.frame().length, in.tpid(), in.tci(),
                            in.offload().needsChecksum(), in.offload());
                }
            }
        };
        // Warm up so the JIT has compiled the loop before we count.
        int round = 0;
        for (; round < 50_000; round++) {
            oneRound.accept(round);
            clock[0] += 1_000;
            agent.doWork();
        }
        long frames = 0;
        for (Input in : inputs) {
            frames += rounds / in.every();
        }
        assertTrue(frames >= 1_000_000);
        // Up to three windows of a million frames; one must allocate nothing. The JVM itself
        // allocates on the running thread, once per class, when that thread first asks C2 to
        // compile a method of a class whose string constants are not resolved yet
        // (CompileBroker::compile_method resolves them in the requesting thread); on a busy
        // machine that request can come after any fixed warm-up. That one-off bookkeeping is
        // the JIT's, not the data plane's; an allocation on the forwarding path recurs in every
        // window and still fails.
        List<Long> windows = new java.util.ArrayList<>();
        for (int w = 0; w < 3; w++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++, round++) {
                oneRound.accept(round);
                clock[0] += 1_000;
                agent.doWork();
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            windows.add(allocated);
            if (allocated == 0) {
                break;
            }
        }
        assertEquals(0, windows.getLast(), "bytes allocated while forwarding " + frames + " frames, per window: "
                + windows);
        return rounds;
    }

    @Test
    @Timeout(120)
    void forwardingSuperFramesAndPartialChecksumsAllocatesNothing() throws Exception {
        MemoryPort a = new MemoryPort("a", 1500, 256, 256, true);
        MemoryPort b = new MemoryPort("b", 1500, 256, 256, true);
        for (MemoryPort p : List.of(a, b)) {
            p.retainTransmitted(false);
        }
        long[] clock = {0};
        BridgeAgent agent = new BridgeAgent(new MemoryPort[] {a, b}, BridgeSettings.defaults(),
                CompiledRules.compile(RuleSetLoader.defaults(), null), () -> clock[0]);
        Offload tso = new Offload().set(VirtioNetHdr.VIRTIO_NET_HDR_F_NEEDS_CSUM, VirtioNetHdr.VIRTIO_NET_HDR_GSO_TCPV4,
                1460, 1000, 34, 16);
        Offload uso = new Offload().set(VirtioNetHdr.VIRTIO_NET_HDR_F_NEEDS_CSUM, VirtioNetHdr.VIRTIO_NET_HDR_GSO_UDP_L4,
                1000, 42, 34, 6);
        Offload partialUdp = new Offload().set(VirtioNetHdr.VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 42, 34, 6);
        List<Input> mix = List.of(
                // TCP super-frames both ways, one of them tagged; a UDP one, a NetBIOS broadcast one (dropped
                // as its four segments), and a plain frame with a partial checksum.
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("02:00:00:00:00:0b")
                        .tcp("10.0.0.1", "10.0.0.2", 50000, 445).payload(4 * 1460).build(), 0, 0, 0, 1, tso),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0b").dst("02:00:00:00:00:0a")
                        .tcp("10.0.0.2", "10.0.0.1", 445, 50000).payload(3 * 1460 + 7).build(), 1, 0x8100, 10, 1, tso),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("02:00:00:00:00:0b")
                        .udp("10.0.0.1", "10.0.0.2", 4000, 4001).payload(4000).build(), 0, 0, 0, 1, uso),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").broadcast()
                        .udp("10.0.0.1", "10.0.0.255", 137, 137).payload(4000).build(), 0, 0, 0, 1, uso),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0b").dst("02:00:00:00:00:0a")
                        .udp("10.0.0.2", "10.0.0.1", 4001, 4000).payload(200).build(), 1, 0, 0, 1, partialUdp));
        int rounds = forwardAMillion(agent, new MemoryPort[] {a, b}, mix, clock);
        assertTrue(agent.counter(0, PortCounter.DROP_RULE) >= 4L * rounds, "the NetBIOS super-frame, as its segments");
        assertTrue(agent.counter(0, PortCounter.RX_SUPER_FRAMES) >= 3L * rounds);
    }

    @Test
    @Timeout(120)
    void stormControlAllocatesNothing() throws Exception {
        MemoryPort[] ports = discardingPorts();
        long[] clock = {0};
        StormSettings storm = new StormSettings(List.of(
                new StormSettings.Limit(0, StormClass.BROADCAST, 1_000, 500, StormSettings.Action.DROP),
                new StormSettings.Limit(0, StormClass.MULTICAST, 1_000, 1_000, StormSettings.Action.LOG),
                new StormSettings.Limit(1, StormClass.UNKNOWN_UNICAST, 2_000, 2_000, StormSettings.Action.DROP),
                new StormSettings.Limit(2, StormClass.ARP, 100, 100, StormSettings.Action.DROP)));
        BridgeAgent agent = new BridgeAgent(ports, BridgeSettings.defaults().withStorm(storm),
                CompiledRules.compile(RuleSetLoader.defaults(), null), () -> clock[0]);
        List<Input> mix = List.of(
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").broadcast()
                        .udp("10.0.0.1", "10.0.0.255", 5000, 5000).payload(30).build(), 0, 0, 0),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("01:00:5e:00:00:fb")
                        .udp("10.0.0.1", "224.0.0.251", 5353, 5353).payload(30).build(), 0, 0, 0),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0b").dst("02:00:00:00:00:99")
                        .udp("10.0.0.2", "10.0.0.99", 5000, 5000).payload(30).build(), 1, 0, 0),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0c").broadcast()
                        .arp(1, 0x0200_0000_000cL, "10.0.0.3", 0, "10.0.0.1").build(), 2, 0, 0, 3),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0c").dst("02:00:00:00:00:0a")
                        .udp("10.0.0.3", "10.0.0.1", 5000, 5000).payload(30).build(), 2, 0, 0));
        int rounds = forwardAMillion(agent, ports, mix, clock);
        StormControl control = agent.stormControl();
        assertTrue(agent.counter(0, PortCounter.DROP_STORM) >= rounds / 2, "the broadcast storm was held");
        assertTrue(control.counter(1, StormCounter.LOGGED) >= rounds / 2, "the multicast one logged");
        assertTrue(agent.counter(1, PortCounter.DROP_STORM) >= rounds / 2, "unknown unicast held");
        assertTrue(agent.counter(2, PortCounter.DROP_STORM) >= rounds / 6, "ARP held");
        assertTrue(control.counter(0, StormCounter.STORMS) >= 1);
    }

    @Test
    @Timeout(120)
    void arpContainmentAllocatesNothing() throws Exception {
        MemoryPort[] ports = discardingPorts();
        long[] clock = {0};
        // Bindings live 20 us (20 rounds) and are announced every 50 rounds: aging, sweeping and
        // learning again run all the time, as do the unicast rewrite, the same-side drop and floods.
        BridgeAgent agent = new BridgeAgent(ports, BridgeSettings.defaults().withArp(new ArpSettings(ArpMode.UNICAST,
                4, 20_000L)), CompiledRules.compile(RuleSetLoader.defaults(), null), () -> clock[0]);
        long gateway = 0x0200_0000_0001L;
        long client = 0x0200_0000_000aL;
        long neighbour = 0x0200_0000_000bL;
        List<Input> mix = List.of(
                new Input(FrameBuilder.ethernet().src(gateway).broadcast().arp(1, gateway, "10.0.0.1", 0, "10.0.0.1")
                        .build(), 1, 0, 0, 50),
                new Input(FrameBuilder.ethernet().src(neighbour).broadcast().arp(1, neighbour, "10.0.0.11", 0,
                        "10.0.0.11").build(), 0, 0, 0, 50),
                new Input(FrameBuilder.ethernet().src(client).broadcast().arp(1, client, "10.0.0.10", 0, "10.0.0.1")
                        .build(), 0, 0, 0),
                new Input(FrameBuilder.ethernet().src(gateway).broadcast().arp(1, gateway, "10.0.0.1", 0, "10.0.0.10")
                        .build(), 1, 0, 0),
                new Input(FrameBuilder.ethernet().src(client).broadcast().arp(1, client, "10.0.0.10", 0, "10.0.0.11")
                        .build(), 0, 0, 0),
                new Input(FrameBuilder.ethernet().src(client).dst(gateway).udp("10.0.0.10", "10.0.0.1", 5000, 53)
                        .payload(30).build(), 0, 0, 0));
        forwardAMillion(agent, ports, mix, clock);
        ArpContainment arp = agent.arpContainment();
        assertTrue(arp.counter(ArpCounter.REWRITTEN) > 100_000, "rewritten: " + arp.counter(ArpCounter.REWRITTEN));
        assertTrue(arp.counter(ArpCounter.SAME_SIDE) > 100_000, "same side: " + arp.counter(ArpCounter.SAME_SIDE));
        assertTrue(arp.counter(ArpCounter.FLOODED_UNKNOWN) > 10_000, "floods while unknown");
        assertTrue(arp.counter(ArpCounter.AGED) > 1_000, "aging ran");
    }

    @Test
    @Timeout(120)
    void containingNlbClusterFloodsAllocatesNothing() throws Exception {
        MemoryPort[] ports = discardingPorts();
        long[] clock = {0};
        // A round takes 1 us of clock; aging is 20 us and the cluster shows itself every 50
        // rounds, so its location ages out and is learned again all through the run: aging,
        // sweeping, re-learning and floods while unknown are measured too. (Often, not rarely: a
        // branch the JIT has never seen taken deoptimizes when it is, and deoptimization may
        // allocate, which would be the JIT's doing, not the data plane's.)
        NlbSettings nlb = new NlbSettings(NlbMode.CONTAIN, 20_000L, 4, List.of(
                new NlbSettings.StaticCluster(0x0A4D_0065, -1, NlbMac.unicastMac(0x0A4D_0065), 0b100)));
        BridgeAgent agent = new BridgeAgent(ports, BridgeSettings.defaults().withNlb(nlb),
                CompiledRules.compile(RuleSetLoader.defaults(), null), () -> clock[0]);
        String member = "02:01:0a:4d:00:64";
        List<Input> mix = List.of(
                // The cluster 10.77.0.100 announces itself on port 1, and a member answers from the
                // cluster IP, now and then.
                new Input(FrameBuilder.ethernet().src(member).nlbGratuitousArp("10.77.0.100").build(), 1, 0, 0, 50),
                new Input(FrameBuilder.ethernet().src(member).dst("02:00:00:00:00:0a")
                        .tcp("10.77.0.100", "10.77.0.10", 445, 50000).payload(200).build(), 1, 0, 0, 50),
                // Clients on port 0 reach it (to members); the core side's own copies stop (contained).
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("02:bf:0a:4d:00:64")
                        .tcp("10.77.0.10", "10.77.0.100", 50000, 445).payload(100).build(), 0, 0, 0),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0c").dst("02:bf:0a:4d:00:64")
                        .tcp("10.77.0.30", "10.77.0.100", 50001, 445).payload(100).build(), 1, 0, 0),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0c").dst("03:bf:0a:4d:00:64")
                        .udp("10.77.0.30", "10.77.0.100", 5000, 5000).payload(60).build(), 1, 0, 0),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("01:00:5e:7f:00:64")
                        .udp("10.77.0.10", "10.77.0.100", 5000, 5000).payload(60).build(), 0, 0, 0),
                // SSDP: an IGMP-form MAC of no known cluster.
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("01:00:5e:7f:ff:fa")
                        .udp("10.77.0.10", "239.255.255.250", 1900, 1900).payload(90).build(), 0, 0, 0),
                // A cluster never located (flooded, counted), a static one, and one the full table cannot hold.
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("02:bf:0a:4d:00:c8")
                        .udp("10.77.0.10", "10.77.0.200", 5000, 5000).payload(60).build(), 0, 0, 0),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("02:bf:0a:4d:00:65")
                        .udp("10.77.0.10", "10.77.0.101", 5000, 5000).payload(60).build(), 0, 0, 0),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("02:bf:0a:4d:00:c9")
                        .udp("10.77.0.10", "10.77.0.201", 5000, 5000).payload(60).build(), 0, 0, 0),
                new Input(FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("02:bf:0a:4d:00:ca")
                        .udp("10.77.0.10", "10.77.0.202", 5000, 5000).payload(60).build(), 0, 0, 0));
        int rounds = forwardAMillion(agent, ports, mix, clock);
        assertTrue(agent.counter(1, PortCounter.DROP_NLB_CONTAINED) >= rounds / 3, "core-side cluster frames stopped");
        assertTrue(agent.counter(NlbCounter.FLOODED_UNTRACKED) >= rounds, "the full table's path ran");
        assertTrue(agent.counter(NlbCounter.AGED) >= rounds / 50 - 1, "aging ran");
        assertTrue(agent.counter(NlbCounter.LEARNED) >= rounds / 50, "re-learning ran");
        long unknown = 0;
        for (NlbCluster cl : agent.nlbClusters()) {
            unknown += cl.floodedUnknown();
        }
        assertTrue(unknown >= rounds, "floods while unknown were counted: " + unknown);
    }
}
