package org.quietbridge.bridge;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;

import org.quietbridge.bridge.agent.IdleStrategy;
import org.quietbridge.bridge.config.RingSettings;
import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.bridge.forward.BridgeSettings;
import org.quietbridge.bridge.port.FramePort;
import org.quietbridge.bridge.port.MemoryPort;
import org.quietbridge.bridge.port.Offload;
import org.quietbridge.bridge.port.PacketRingPort;
import org.quietbridge.bridge.port.RingGeometry;
import org.quietbridge.bridge.sys.NetDeviceControl;
import org.quietbridge.bridge.sys.VirtioNetHdr;
import org.quietbridge.rules.CompiledRules;

/**
 * Runs the forwarding path hot before the ports' rings open, so that a burst the moment quietbridge says
 * it forwards finds compiled code, not the interpreter (docs/ARCHITECTURE.md, "Starting warm").
 *
 * <p>A throwaway {@link BridgeAgent}, with the bridge's own settings and rules, forwards synthetic frames
 * between an in-memory port and a packet-ring port on the loopback interface, of the same ring version
 * and offload mode as the real ports: the JIT compiles the ring code the real ports run, and the calls
 * the loop makes on a port see the ring port's class (a JIT that saw only in-memory ports would throw
 * its code away at the first real frame). Frames are injected on the in-memory port; the agent sends
 * them out on the loopback interface, they come back on its ring, and the agent forwards them to the
 * in-memory port. They are harmless to the host: unicast frames go to MAC addresses that are not the
 * loopback's (the stack drops them as for another host, before it reads their IPv4 header, whose checksum
 * is 0), group-addressed IPv4 frames go to 0.0.0.0 (dropped as a martian destination, never routed), and
 * ARP a loopback interface ignores. The bridge's ports beyond the second are in memory too. Without a
 * loopback interface that is up (or without the privileges), both ports are in memory.
 */
public final class WarmUp {
    /** Enough frames for C2 to compile the loop and what it calls (its thresholds are 10,000-ish). */
    public static final int DEFAULT_FRAMES = 400_000;
    /** A bound on the time it takes, whatever the machine. */
    public static final long LIMIT_NANOS = 3_000_000_000L;
    static final String LOOPBACK = "lo";
    private static final int LOOPBACK_SLOTS = 64;
    private static final int FRESH_AGENT_ROUNDS = 500;

    private static final byte[] MAC_A = {0x02, 0x00, 0x5e, 0x77, 0x00, 0x0a};
    private static final byte[] MAC_B = {0x02, 0x00, 0x5e, 0x77, 0x00, 0x0b};
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    private static final byte[] MDNS_MAC = {0x01, 0x00, 0x5e, 0x00, 0x00, (byte) 0xfb};
    /**
     * The IPv4 destination of the group-addressed frames: 0.0.0.0, which the loopback's stack drops as a
     * martian destination (not counted as a header error, never routed on); their header checksum is right.
     */
    private static final int GROUP_IP = 0;

    private WarmUp() {
    }

    /**
     * What a warm-up did: frames injected, how long it took, why it ran without the loopback interface
     * (null when it ran through it), and why it failed (null when it did not).
     */
    public record Result(long frames, long nanos, String memoryOnlyBecause, String failedBecause) {
        /** A warm-up that failed after {@code nanos}: the bridge starts cold, and says why. */
        public static Result failed(Exception e, long nanos) {
            return new Result(0, nanos, null, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }

        /** "warm-up N ms" and, when it could not use the loopback interface, why; or why it failed. */
        public String describe() {
            if (failedBecause != null) {
                return "no warm-up, it failed: " + failedBecause;
            }
            return String.format(java.util.Locale.ROOT, "warm-up %.0f ms%s", nanos / 1e6,
                    memoryOnlyBecause == null ? "" : " in memory only: " + memoryOnlyBecause);
        }
    }

    /**
     * Forwards about {@code frames} synthetic frames (at most for {@link #LIMIT_NANOS}) through an agent with
     * {@code settings} and {@code rules} (a copy of their own: the warm-up's hits must not show on the bridge's
     * rules), over {@code portCount} ports, the second a ring port on the loopback interface opened with
     * {@code ring}'s version and offloads, idling through {@code idle} after each round as the data-plane
     * thread does (every eighth round finds no frame). Never throws: a warm-up that fails says why in its
     * {@link Result}, and the bridge starts cold.
     */
    public static Result run(BridgeSettings settings, CompiledRules rules, RingSettings ring, IdleStrategy idle,
            int portCount, int mtu, int frames) {
        long start = System.nanoTime();
        // As many ports as the bridge: static MAC entries and NLB clusters name ports by index.
        FramePort[] ports = new FramePort[Math.max(2, portCount)];
        try {
            copyEverySmallSize();
            MemoryPort memory = discardingPort("warm0", mtu, 1024);
            ports[0] = memory;
            for (int i = 2; i < ports.length; i++) {
                ports[i] = discardingPort("warm" + i, mtu, 64);
            }
            String memoryOnly = null;
            try {
                ports[1] = PacketRingPort.open(LOOPBACK, RingGeometry.forMtu(loopbackMtu(), LOOPBACK_SLOTS),
                        ring.version(), ring.blockTimeout(), ring.offloads());
            } catch (IOException | RuntimeException e) {
                memoryOnly = e.getMessage();
                ports[1] = discardingPort("warm1", mtu, 1024);
            }
            MemoryPort second = ports[1] instanceof MemoryPort m ? m : null;
            List<Input> mix = mix();
            BridgeAgent agent = null;
            long sent = 0;
            for (int round = 0; sent < frames && System.nanoTime() - start < LIMIT_NANOS; round++) {
                if (round % FRESH_AGENT_ROUNDS == 0) {
                    // A fresh MAC table now and then: learning new addresses and flooding to unknown ones stay
                    // as hot as forwarding to known ones.
                    agent = new BridgeAgent(ports, settings, rules, BridgeAgent.MONOTONIC);
                }
                // Now and then more frames than a batch: the loop's "batch full" exit is taken too; and now and
                // then none, as on a quiet wire: a branch the JIT never saw taken costs a recompilation later.
                int repeat = round % 16 == 0 ? 1 + settings.batchSize() / mix.size() : round % 8 == 4 ? 0 : 1;
                for (int r = 0; r < repeat; r++) {
                    for (Input in : mix) {
                        MemoryPort port = second != null && ((round + in.side()) & 1) == 1 ? second : memory;
                        if (port.inject(in.frame(), 0, in.length(), in.length(), in.tpid(), in.tci(),
                                in.offload().needsChecksum(), in.offload())) {
                            sent++;
                        }
                    }
                }
                idle.idle(agent.doWork());
            }
            return new Result(sent, System.nanoTime() - start, memoryOnly, null);
        } catch (Exception e) {
            return Result.failed(e, System.nanoTime() - start);
        } finally {
            for (FramePort p : ports) {
                if (p != null) {
                    p.close();
                }
            }
        }
    }

    /** An in-memory port that keeps nothing it transmits. */
    private static MemoryPort discardingPort(String name, int mtu, int rxSlots) {
        MemoryPort port = new MemoryPort(name, mtu, rxSlots, 1024, true);
        port.retainTransmitted(false);
        return port;
    }

    /**
     * The JDK copies a segment of under 64 bytes in longs, then an int, a short and a byte as the size asks,
     * and every copy in the process shares the profile of those branches. Copies of every such size, before
     * the forwarding loop is compiled, keep the compiler from leaving out a branch the mix of frames never
     * took (a 10-byte header, a 62-byte frame), which the first such copy after the start would pay for
     * with a recompilation in the middle of a burst.
     */
    private static void copyEverySmallSize() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment from = arena.allocate(64);
            MemorySegment to = arena.allocate(64);
            byte[] heap = new byte[64];
            MemorySegment heapSegment = MemorySegment.ofArray(heap);
            for (int round = 0; round < 400; round++) {
                for (int n = 1; n < 64; n++) {
                    MemorySegment.copy(from, 0, to, 0, n);
                    MemorySegment.copy(heapSegment, 0, to, 0, n);
                }
            }
        }
    }

    private static int loopbackMtu() throws IOException {
        try (NetDeviceControl control = new NetDeviceControl()) {
            return control.mtu(LOOPBACK);
        }
    }

    /** One synthetic frame: from which side (0 or 1, swapped every round), its tag and offload state. */
    private record Input(MemorySegment frame, int length, int side, int tpid, int tci, Offload offload) {
        static Input of(byte[] frame, int side, int tpid, int tci, Offload offload) {
            return new Input(MemorySegment.ofArray(frame), frame.length, side, tpid, tci, offload);
        }
    }

    private static List<Input> mix() {
        Offload tso = new Offload().set(VirtioNetHdr.VIRTIO_NET_HDR_F_NEEDS_CSUM, VirtioNetHdr.VIRTIO_NET_HDR_GSO_TCPV4,
                1448, 66, 34, 16);
        return List.of(
                Input.of(ipv4(MAC_A, MAC_B, 0x0a4d000a, 0x0a4d0014, 17, 40000, 5001, 18), 0, 0, 0, Offload.NONE),
                Input.of(ipv4(MAC_B, MAC_A, 0x0a4d0014, 0x0a4d000a, 17, 5001, 40000, 18), 1, 0, 0, Offload.NONE),
                Input.of(ipv4(MAC_A, MAC_B, 0x0a4d000a, 0x0a4d0014, 6, 40001, 445, 1400), 0, 0, 0, Offload.NONE),
                Input.of(ipv4(MAC_B, MAC_A, 0x0a4d0014, 0x0a4d000a, 6, 445, 40001, 0), 1, 0, 0, Offload.NONE),
                Input.of(ipv4(MAC_A, MAC_B, 0x0a4d000a, 0x0a4d0014, 6, 40002, 445, 10 * 1448), 0, 0, 0, tso),
                Input.of(ipv4(MAC_A, BROADCAST, 0x0a4d000a, GROUP_IP, 17, 137, 137, 50), 0, 0, 0, Offload.NONE),
                Input.of(ipv4(MAC_A, MDNS_MAC, 0x0a4d000a, GROUP_IP, 17, 5353, 5353, 40), 0, 0, 0, Offload.NONE),
                Input.of(ipv4(MAC_A, MAC_B, 0x0a4d000a, 0x0a4d0014, 17, 40003, 5001, 18), 0, 0x8100, 10, Offload.NONE),
                Input.of(ipv4(MAC_A, MAC_B, 0x0a4d000a, 0x0a4d0014, 17, 40004, 9, 2), 0, 0, 0, Offload.NONE),
                Input.of(ipv4(MAC_A, BROADCAST, 0x0a4d000a, GROUP_IP, 17, 40005, 9, 30), 0, 0, 0, Offload.NONE),
                Input.of(ipv4(MAC_A, MAC_B, 0x0a4d000a, 0x0a4d0014, 17, 40006, 9, 1472), 0, 0, 0, Offload.NONE),
                Input.of(ipv4(MAC_A, MAC_B, 0x0a4d000a, 0x0a4d0014, 1, 0, 0, 56), 0, 0, 0, Offload.NONE),
                Input.of(ipv6(MAC_A, MAC_B, 17, 200), 0, 0, 0, Offload.NONE),
                Input.of(ipv6(MAC_B, MAC_A, 58, 60), 1, 0, 0, Offload.NONE),
                Input.of(arp(MAC_A, 0x0a4d000a, 0x0a4d0014), 0, 0, 0, Offload.NONE));
    }

    /** An untagged IPv4 frame with a UDP or TCP header and {@code payload} zero bytes; checksums left 0. */
    private static byte[] ipv4(byte[] src, byte[] dst, int srcIp, int dstIp, int protocol, int srcPort, int dstPort,
            int payload) {
        int l4 = protocol == 6 ? 20 : 8; // TCP, or UDP and ICMP
        int total = 20 + l4 + payload;
        ByteBuffer b = ByteBuffer.allocate(Math.max(60, 14 + total));
        b.put(dst).put(src).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) protocol).putShort((short) 0).putInt(srcIp).putInt(dstIp);
        if ((dst[0] & 1) != 0) {
            // Group-addressed: the stack reads it, so its header is whole (see GROUP_IP). A unicast frame
            // keeps checksum 0: the loopback's stack drops it as for another host before it looks.
            b.putShort(14 + 10, headerChecksum(b.array(), 14));
        }
        if (protocol == 1) {
            b.put((byte) 8).put((byte) 0).putShort((short) 0).putInt(1); // an echo request
            return b.array();
        }
        b.putShort((short) srcPort).putShort((short) dstPort);
        if (protocol == 6) {
            b.putInt(1).putInt(0).put((byte) 0x50).put((byte) 0x18).putShort((short) 512).putInt(0);
        } else {
            b.putShort((short) (8 + payload)).putShort((short) 0);
        }
        return b.array();
    }

    /**
     * An IPv6 frame between documentation addresses (2001:db8::/32) with a UDP or ICMPv6 header and
     * {@code payload} zero bytes.
     */
    private static byte[] ipv6(byte[] src, byte[] dst, int next, int payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + 8 + payload);
        b.put(dst).put(src).putShort((short) 0x86dd);
        b.putInt(0x6000_0000).putShort((short) (8 + payload)).put((byte) next).put((byte) 64);
        b.putInt(0x2001_0db8).putInt(0).putInt(0).putInt(src[5]);
        b.putInt(0x2001_0db8).putInt(0).putInt(0).putInt(dst[5]);
        b.putShort((short) 40000).putShort((short) 9).putShort((short) (8 + payload)).putShort((short) 0);
        return b.array();
    }

    /** The IPv4 header checksum (RFC 791) of the 20-byte header at {@code at}, its checksum field 0. */
    private static short headerChecksum(byte[] frame, int at) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += (frame[at + i] & 0xff) << 8 | frame[at + i + 1] & 0xff;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (short) ~sum;
    }

    /** An ARP request, broadcast. */
    private static byte[] arp(byte[] src, int srcIp, int dstIp) {
        ByteBuffer b = ByteBuffer.allocate(60);
        b.put(BROADCAST).put(src).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(src).putInt(srcIp).put(new byte[6]).putInt(dstIp);
        return b.array();
    }
}
