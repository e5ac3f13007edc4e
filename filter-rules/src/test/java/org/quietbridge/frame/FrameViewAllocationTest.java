package org.quietbridge.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.frame.SampleFrames.Sample;

/**
 * The steady state allocates nothing (STYLE.md, rule 2): decoding into one reused view, and
 * reading every accessor, leaves the thread's allocation counter where it was.
 *
 * <p>This is a correctness check, not a benchmark: it asserts a byte count, never a time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameViewAllocationTest {

    private static final int FRAMES = 1_000_000;
    private static final int WARM_UP_FRAMES = 300_000;
    private static final int MEASURED_WINDOWS = 3;
    /** Slot size of the stand-in ring, as a tpacket ring's frame size would be. */
    private static final int SLOT = 2048;
    private static final Ipv4Subnets SUBNETS = Ipv4Subnets.of(List.of(Ipv4Prefix.parse("10.8.0.0/16")));

    @Test
    void decodingAMillionFramesIntoOneViewAllocatesNothing() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported(), "this JVM cannot count allocations per thread");
        threads.setThreadAllocatedMemoryEnabled(true);

        List<Sample> samples = SampleFrames.ALL;
        int n = samples.size();
        int[] lengths = new int[n];
        int[] tpids = new int[n];
        int[] tcis = new int[n];
        try (Arena arena = Arena.ofConfined()) {
            // The frames sit in native memory one per slot, as in an AF_PACKET ring.
            MemorySegment ring = arena.allocate((long) SLOT * n, 64);
            for (int i = 0; i < n; i++) {
                byte[] f = samples.get(i).bytes();
                MemorySegment.copy(f, 0, ring, ValueLayout.JAVA_BYTE, (long) SLOT * i, f.length);
                lengths[i] = f.length;
                tpids[i] = samples.get(i).outerTpid();
                tcis[i] = samples.get(i).outerTci();
            }
            FrameView view = new FrameView();
            threads.getCurrentThreadAllocatedBytes(); // the first call may initialise the counter

            // Warm-up lets the JIT compile the path; interpreted code may allocate where compiled code does not.
            decode(view, ring, lengths, tpids, tcis, WARM_UP_FRAMES);
            // A deoptimisation inside the window re-creates on the heap the objects that the JIT
            // had scalar-replaced, a one-off of a hundred bytes or so (seen about once in ten runs
            // on a loaded 2-core machine). So up to three windows of a million frames each are
            // measured and one of them must show 0 bytes; an allocation per frame shows in all.
            long[] allocated = new long[MEASURED_WINDOWS];
            long sink = 0;
            int window = 0;
            do {
                long before = threads.getCurrentThreadAllocatedBytes();
                sink += decode(view, ring, lengths, tpids, tcis, FRAMES);
                allocated[window] = threads.getCurrentThreadAllocatedBytes() - before;
            } while (allocated[window++] != 0 && window < MEASURED_WINDOWS);

            assertEquals(0, allocated[window - 1],
                    "bytes allocated per window of " + FRAMES + " frames: " + Arrays.toString(allocated));
            assertNotEquals(0, sink, "the accessors were read");
        }
    }

    /** Decodes {@code count} frames round-robin from the ring and folds every accessor into a sum. */
    private static long decode(FrameView v, MemorySegment ring, int[] lengths, int[] tpids, int[] tcis, int count) {
        long sink = 0;
        int n = lengths.length;
        int slot = 0;
        for (int i = 0; i < count; i++) {
            v.wrap(ring, (long) SLOT * slot, lengths[slot], tpids[slot], tcis[slot]);
            sink += v.length() + v.malformation().ordinal() + (v.malformed() ? 1 : 0);
            sink += v.destinationMac() ^ v.sourceMac();
            sink += v.l2Class().ordinal() + v.nlbDestination().ordinal();
            sink += v.tagCount() + v.inFrameTags() + (v.outOfBandTag() ? 1 : 0) + v.vlanId() + v.innerVlanId();
            for (int t = 0; t < v.tagCount(); t++) {
                sink += v.tagTpid(t) + v.tagTci(t);
            }
            sink += v.etherType() + (v.llc() ? 1 : 0) + v.llcDsap() + v.llcSsap() + v.l3Offset() + (v.ipv6() ? 1 : 0);
            sink += (v.ipv4() ? 1 : 0) + v.ipv4HeaderLength() + v.ipv4TotalLength() + v.ipProtocol();
            sink += v.ipv4Source() ^ v.ipv4Destination();
            sink += (v.fragment() ? 1 : 0) + (v.firstFragment() ? 2 : 0) + (v.nonFirstFragment() ? 4 : 0);
            Ipv4Class c = v.ipv4DestinationClass(SUBNETS);
            sink += c == null ? -1 : c.ordinal();
            sink += (v.hasPorts() ? 1 : 0) + v.l4Offset() + v.sourcePort() + v.destinationPort();
            sink += (v.udp() ? 1 : 0) + (v.tcp() ? 1 : 0);
            sink += (v.arp() ? 1 : 0) + v.arpOperation() + (v.arpSenderMac() ^ v.arpTargetMac());
            sink += v.arpSenderIp() ^ v.arpTargetIp();
            slot = slot + 1 == n ? 0 : slot + 1;
        }
        return sink;
    }
}
