package org.quietbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.quietbridge.capture.CaptureFormatException;
import org.quietbridge.capture.CaptureReader;
import org.quietbridge.frame.testing.FrameBuilder;

/**
 * Steady background traffic from one host, paced: numbered unicast UDP frames to the other host
 * (UDP {@link #PORT}, the number in the payload), and every {@code extraEvery} numbered frames one
 * of a few extra frames in turn (e.g. NetBIOS broadcasts). It runs until {@link #stop()}, which
 * returns how many of each it sent; {@link #countNumbered} then says how often each numbered frame
 * reached a capture, so that "not one frame lost or doubled" is checked frame by frame.
 *
 * <p>The sender is Python on a raw AF_PACKET socket, as {@link FrameSender}: it patches the number
 * into a template frame and zeroes the UDP checksum (RFC 768: no checksum), so frames need no
 * re-computation per send.
 */
public final class TrafficStream implements AutoCloseable {
    /** The numbered frames' UDP destination port. */
    public static final int PORT = 5555;
    /** A pcap-filter(7) expression for the numbered frames. */
    public static final String FILTER = "udp dst port " + PORT;
    /** {@link #FILTER}'s complement, for a capture of everything else. */
    public static final String NOT_STREAM = "not (" + FILTER + ")";

    private static final byte[] MAGIC = "QBSQ".getBytes(StandardCharsets.US_ASCII);
    /** Ethernet (14) + IPv4 without options (20) + UDP (8): where the payload starts. */
    private static final int PAYLOAD_OFFSET = 42;
    private static final int UDP_CHECKSUM_OFFSET = 40;
    private static final Duration STOP_LIMIT = Duration.ofSeconds(15);

    private static final String SCRIPT = """
            import os, socket, struct, sys, time
            # argv: interface, template hex, number offset, checksum offset, extras file, extra_every, fps, stop file
            ifname, template, number_at, csum_at = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
            extras = [bytes.fromhex(l) for l in open(sys.argv[5]) if l.strip()]
            every, fps, stop = int(sys.argv[6]), int(sys.argv[7]), sys.argv[8]
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            s.bind((ifname, 0))
            frame = bytearray.fromhex(template)
            frame[csum_at:csum_at + 2] = b"\\0\\0"
            sent_extras = [0] * len(extras)
            n = 0
            burst = max(1, fps // 500)              # one burst every 2 ms
            period = burst / fps
            due = time.monotonic()
            while not os.path.exists(stop):
                for _ in range(burst):
                    struct.pack_into(">I", frame, number_at, n)
                    s.send(frame)
                    n += 1
                    if extras and n % every == 0:
                        k = (n // every) % len(extras)
                        s.send(extras[k])
                        sent_extras[k] += 1
                due += period
                late = time.monotonic() - due
                if late < 0:
                    time.sleep(-late)
                elif late > 0.1:
                    due = time.monotonic()          # descheduled: go on at the rate, never burst to catch up
            print("numbered", n, "extras", " ".join(map(str, sent_extras)), flush=True)
            """;

    private final Process process;
    private final Path stopFile;
    private final Path out;
    private Sent sent;

    /** What the stream sent: numbered frames 0 to {@code numbered - 1}, and each extra frame's count. */
    public record Sent(long numbered, long[] extras) {
        public long extrasTotal() {
            return Arrays.stream(extras).sum();
        }
    }

    private TrafficStream(Process process, Path stopFile, Path out) {
        this.process = process;
        this.stopFile = stopFile;
        this.out = out;
    }

    /**
     * Starts the stream from {@code d.from} to {@code d.to} at about {@code framesPerSecond}
     * numbered frames per second; returns at once.
     */
    public static TrafficStream start(LabFixture fixture, Direction d, int framesPerSecond, List<byte[]> extras,
            int extraEvery) {
        byte[] payload = new byte[18];
        System.arraycopy(MAGIC, 0, payload, 0, MAGIC.length);
        byte[] template = FrameBuilder.ethernet().src(d.srcMac()).dst(d.dstMac())
                .udp(d.srcIp(), d.dstIp(), 40000, PORT).payload(payload).build();
        HexFormat hex = HexFormat.of();
        Path script = fixture.write("traffic-stream.py", SCRIPT);
        Path extrasFile = fixture.freshPath("stream-extras", "hex");
        Path stopFile = fixture.freshPath("stream-stop", "flag");
        Path out = fixture.freshPath("stream", "out");
        try {
            Files.writeString(extrasFile, extras.stream().map(hex::formatHex).collect(Collectors.joining("\n", "", "\n")));
            Files.delete(stopFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process p = fixture.lab().start(d.from, out, LabFixture.python(), script.toString(), "eth0",
                hex.formatHex(template), Integer.toString(PAYLOAD_OFFSET + MAGIC.length),
                Integer.toString(UDP_CHECKSUM_OFFSET), extrasFile.toString(), Integer.toString(extraEvery),
                Integer.toString(framesPerSecond), stopFile.toString());
        return fixture.own(new TrafficStream(p, stopFile, out));
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the stream and returns what it sent. */
    public Sent stop() {
        if (sent != null) {
            return sent;
        }
        try {
            Files.writeString(stopFile, "stop\n");
            if (!process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                fail("the traffic stream did not stop within " + STOP_LIMIT.toSeconds() + " s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), "the traffic stream failed:\n" + text);
            String[] words = text.strip().split("\\s+");
            assertTrue(words.length >= 3 && words[0].equals("numbered") && words[2].equals("extras"), text);
            long[] extras = Arrays.stream(words, 3, words.length).mapToLong(Long::parseLong).toArray();
            sent = new Sent(Long.parseLong(words[1]), extras);
            return sent;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return fail("interrupted while stopping the traffic stream");
        }
    }

    /**
     * For each number below {@code numbered}, how many frames of the stream with that number
     * {@code pcap} holds. A number at or past {@code numbered} fails: the stream never sent it.
     * A record tcpdump is still writing ends the count early.
     */
    public static int[] countNumbered(Path pcap, long numbered) {
        return arrivals(pcap, numbered).counts();
    }

    /**
     * How the numbered frames arrived in a capture: how often each number, and the longest silence
     * between two numbered frames in a row (capture timestamps), with when it began.
     *
     * @param gapNanos       the longest time between two consecutive numbered arrivals
     * @param gapAfterNumber the number of the frame that arrived before that silence
     */
    public record Arrivals(int[] counts, long gapNanos, long gapAfterNumber) {
        public long lost() {
            return Arrays.stream(counts).filter(c -> c == 0).count();
        }

        public 
        long duplicated() {
            return Arrays.stream(counts).filter(c -> c > 1).count();
        }
    }

    /** {@link Arrivals} of the stream's frames in {@code pcap}; see {@link #countNumbered}. */
    public static Arrivals arrivals(Path pcap, long numbered) {
        int[] counts = new int[Math.toIntExact(numbered)];
        long gap = 0;
        long gapAfter = -1;
        long last = CaptureReader.NO_TIMESTAMP;
        long lastNumber = -1;
        try {
            if (!Files.exists(pcap) || Files.size(pcap) == 0) {
                return new Arrivals(counts, gap, gapAfter);
            }
            try (CaptureReader reader = CaptureReader.open(pcap)) {
                while (reader.next()) {
                    long n = numberOf(reader.frame(), reader.capturedLength());
                    if (n >= numbered) {
                        fail("a frame numbered " + n + " arrived, but the stream sent only " + numbered);
                    }
                    if (n < 0) {
                        continue;
                    }
                    counts[(int) n]++;
                    long at = reader.timestampNanos();
                    if (last != CaptureReader.NO_TIMESTAMP && at - last > gap) {
                        gap = at - last;
                        gapAfter = lastNumber;
                    }
                    last = at;
                    lastNumber = n;
                }
            }
        } catch (CaptureFormatException partial) {
            // The last record is still being written.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Arrivals(counts, gap, gapAfter);
    }

    /** The number a stream frame carries, or -1 for any other frame. */
    private static long numberOf(MemorySegment frame, int length) {
        if (length < PAYLOAD_OFFSET + MAGIC.length + 4) {
            return -1;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (frame.get(ValueLayout.JAVA_BYTE, PAYLOAD_OFFSET + i) != MAGIC[i]) {
                return -1;
            }
        }
        return Integer.toUnsignedLong(frame.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN),
                PAYLOAD_OFFSET + MAGIC.length));
    }

    /** Numbers that arrived other than exactly once, as "n x count", at most {@code max} of them. */
    public static List<String> notExactlyOnce(int[] counts, int max) {
        List<String> bad = new ArrayList<>();
        for (int n = 0; n < counts.length && bad.size() < max; n++) {
            if (counts[n] != 1) {
                bad.add(n + " x" + counts[n]);
            }
        }
        return bad;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                Files.writeString(stopFile, "stop\n");
                if (!process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
