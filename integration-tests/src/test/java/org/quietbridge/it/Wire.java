package org.quietbridge.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.lab.Role;

/**
 * The lab's two hosts as a test sees them: it sends frames out of one host and looks at what
 * the other host (and the sender itself) received.
 *
 * <p>A frame that must not cross cannot be waited for. {@link #sendAndSettle} therefore sends a
 * barrier frame behind the test's frames and waits for the barrier on the far side: the bridge
 * takes a port's frames from one RX ring in order and writes them to the other port's TX ring
 * in order, so once the barrier is across, every frame before it has been either forwarded or
 * dropped. (The sender is pinned to one CPU, see {@link FrameSender}, so its frames also enter
 * the bridge in order.) A frame that must cross is still waited for by its marker, not taken
 * for granted after the barrier: the bridge's thread may move between CPUs between two TX
 * batches, and two CPUs' receive queues on the far side can hand frames to tcpdump out of order.
 */
public final class Wire {
    /** A frame that crosses does so in microseconds; this is the backstop on a loaded machine. */
    public static final Duration CROSS_LIMIT = Duration.ofSeconds(20);
    /** IEEE Std 802 Local Experimental EtherType 1: no host stack reacts to it. */
    public static final int EXPERIMENTAL_ETHERTYPE = 0x88B5;

    private final LabFixture fixture;
    private final Capture ap;
    private final Capture core;
    private final AtomicInteger barriers = new AtomicInteger();

    private Wire(LabFixture fixture, Capture ap, Capture core) {
        this.fixture = fixture;
        this.ap = ap;
        this.core = core;
    }

    /** Starts captures on both hosts. */
    public static Wire open(LabFixture fixture) {
        return new Wire(fixture, fixture.capture(Role.AP, "ap"), fixture.capture(Role.CORE, "core"));
    }

    /** Starts captures on both hosts of only the frames that match {@code filter} (pcap-filter(7)). */
    public static Wire open(LabFixture fixture, String filter) {
        return new Wire(fixture, fixture.capture(Role.AP, "ap", filter), fixture.capture(Role.CORE, "core", filter));
    }

    public Capture capture(Role host) {
        return host == Role.AP ? ap : core;
    }

    /** Sends {@code frames} from {@code host}; returns when they are on the wire, not across. */
    public void send(Role host, List<byte[]> frames) {
        fixture.sender().send(host, frames);
    }

    /** Sends {@code frames} and a barrier behind them from {@code host}, and waits until the barrier is across. */
    public void sendAndSettle(Role host, List<byte[]> frames) {
        Direction d = Direction.from(host);
        byte[] barrier = Marker.of("barrier-" + d.tag() + "-" + barriers.incrementAndGet());
        List<byte[]> all = new ArrayList<>(frames);
        all.add(experimental(d.srcMac(), d.dstMac(), barrier));
        send(host, all);
        capture(d.to).await(barrier, CROSS_LIMIT);
    }

    /** A frame of {@link #EXPERIMENTAL_ETHERTYPE} that carries {@code marker}, padded to the 60-byte minimum. */
    public static byte[] experimental(String src, String dst, byte[] marker) {
        return FrameBuilder.ethernet().src(src).dst(dst).raw(EXPERIMENTAL_ETHERTYPE, marker).padTo(60).build();
    }

    /**
     * Asserts that the frame with {@code marker} reached {@code to} exactly once and byte for
     * byte as {@code sent}, and never came back to {@code from}.
     *
     * <p>A copy is a captured frame with the marker <em>and</em> the sender's source MAC: the
     * far host may answer a probe with an ICMP error that quotes it, marker included, and that
     * answer is not the probe coming back.
     */
    public void assertCrossedOnceUnchanged(String what, byte[] marker, byte[] sent, Role from, Role to) {
        capture(to).await(marker, CROSS_LIMIT);
        List<byte[]> far = copies(capture(to), marker, sent);
        assertEquals(1, far.size(), what + ": copies on " + to + " (want exactly one)" + describe(far));
        assertArrayEquals(sent, far.getFirst(), what + ": bytes differ on " + to + "\n sent     " + Capture.hex(sent)
                + "\n received " + Capture.hex(far.getFirst()));
        assertNeverCameBack(what, marker, sent, from);
    }

    /** Asserts that no copy of {@code sent} reached {@code to}. */
    public void assertNeverArrived(String what, byte[] marker, byte[] sent, Role to) {
        List<byte[]> far = copies(capture(to), marker, sent);
        assertEquals(0, far.size(), what + ": crossed to " + to + " but must not" + describe(far));
    }

    /** Asserts that {@code sent} did not come back to its sender {@code from}. */
    public void assertNeverCameBack(String what, byte[] marker, byte[] sent, Role from) {
        List<byte[]> back = copies(capture(from), marker, sent);
        assertEquals(0, back.size(), what + ": came back to the sender " + from + describe(back));
    }

    /** Captured frames with {@code marker} and the source MAC of {@code sent}. */
    public static List<byte[]> copies(Capture capture, byte[] marker, byte[] sent) {
        return capture.framesWith(marker).stream().filter(f -> sameSource(f, sent)).toList();
    }

    /** For each sent frame, how many copies (its marker and source MAC) {@code host} captured. */
    public int[] copiesOfEach(Role host, List<byte[]> markers, List<byte[]> sent) {
        List<byte[]> captured = capture(host).frames();
        int[] counts = new int[markers.size()];
        for (byte[] frame : captured) {
            for (int i = 0; i < markers.size(); i++) {
                if (sameSource(frame, sent.get(i)) && Capture.indexOf(frame, markers.get(i)) >= 0) {
                    counts[i]++;
                }
            }
        }
        return counts;
    }

    private static boolean sameSource(byte[] a, byte[] b) {
        return a.length >= 12 && b.length >= 12 && Arrays.equals(a, 6, 12, b, 6, 12);
    }

    public static String describe(List<byte[]> frames) {
        StringBuilder s = new StringBuilder();
        for (byte[] f : frames) {
            s.append("\n  ").append(Capture.hex(f));
        }
        return s.toString();
    }
}
