package org.quietbridge.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.quietbridge.capture.CaptureFormatException;
import org.quietbridge.capture.CaptureReader;
import org.quietbridge.frame.testing.Hex;
import org.quietbridge.lab.Role;

/**
 * What a host's eth0 receives, as tcpdump writes it: {@code tcpdump -i eth0 -Q in}, so the
 * host's own transmissions (and the frames a test sends from there) are not in it, and a frame
 * that shows up on the sender's side really came back through the bridge.
 *
 * <ul>
 *   <li>{@code -U} and {@code --immediate-mode}: each frame reaches the file as it arrives,
 *       so a test can wait for a frame while the capture runs;</li>
 *   <li>libpcap re-inserts the VLAN tag that the kernel stripped on receive (from the packet
 *       socket's auxiliary data, TPID included), so the bytes compare with what was sent;</li>
 *   <li>{@code -Z root}: Debian's tcpdump otherwise drops to user tcpdump, who may not write
 *       to the work folder.</li>
 * </ul>
 */
public final class Capture implements AutoCloseable {
    private static final Duration LISTEN_LIMIT = Duration.ofSeconds(30);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(10);
    /**
     * tcpdump's ring, in KiB (-B). On an interface with offloads (the hosts keep veth's), libpcap sizes
     * each TPACKET_V3 block for a 64 KiB super-frame, so its default 2 MiB ring has a dozen blocks, each
     * handed over part full in immediate mode: a burst of a few hundred small frames overflows it.
     */
    public static final String BUFFER_KIB = "32768";

    private final Role host;
    private final Process tcpdump;
    private final Path pcap;
    private final Path log;

    private Capture(Role host, Process tcpdump, Path pcap, Path log) {
        this.host = host;
        this.tcpdump = tcpdump;
        this.pcap = pcap;
        this.log = log;
    }

    /** Starts tcpdump on {@code host}'s eth0 and waits until it listens. */
    public static Capture start(LabFixture fixture, Role host, String name) {
        return start(fixture, host, name, null);
    }

    /**
     * {@link #start(LabFixture, Role, String)} keeping only the frames that match a pcap-filter(7)
     * {@code filter} (null: all), with an 8 MiB kernel buffer: a test that streams thousands of
     * frames per second keeps that stream in a capture of its own, so that waiting for one marker
     * does not re-read the whole stream every time.
     */
    public static Capture start(LabFixture fixture, Role host, String name, String filter) {
        Path pcap = fixture.freshPath(name, "pcap");
        String base = pcap.getFileName().toString().replaceFirst("\\.pcap$", "");
        Path log = pcap.resolveSibling(base + ".tcpdump.log");
        List<String> argv = new ArrayList<>(List.of("tcpdump", "-i", "eth0", "-Q", "in", "-U", "--immediate-mode",
                "-s", "0", "-n", "-Z", "root", "-B", BUFFER_KIB, "-w", pcap.toString()));
        if (filter != null) {
            argv.add(filter);
        }
        Process tcpdump = fixture.lab().start(host, log, argv.toArray(String[]::new));
        Capture capture = new Capture(host, tcpdump, pcap, log);
        Await.until(LISTEN_LIMIT, () -> "tcpdump on " + host + " to listen: " + capture.log(), () -> {
            if (!tcpdump.isAlive()) {
                throw new IllegalStateException("tcpdump on " + host + " exited: " + capture.log());
            }
            return capture.log().contains("listening on");
        });
        return capture;
    }

    /**
     * Every frame captured so far, in order. A record that tcpdump is still writing ends the
     * list early; the next call sees it whole.
     */
    public List<byte[]> frames() {
        List<byte[]> frames = new ArrayList<>();
        try {
            if (Files.size(pcap) == 0) {
                return frames;
            }
            try (CaptureReader reader = CaptureReader.open(pcap)) {
                while (reader.next()) {
                    byte[] frame = new byte[reader.capturedLength()];
                    MemorySegment.copy(reader.frame(), ValueLayout.JAVA_BYTE, 0,
                            frame, 0, frame.length);
                    frames.add(frame);
                }
            }
        } catch (CaptureFormatException partial) {
            // The file header or the last record is still being written.
        } catch (IOException e) {
            if (Files.exists(pcap)) {
                throw new UncheckedIOException(e);
            }
        }
        return frames;
    }

    /** The captured frames that hold {@code marker} anywhere. */
    public List<byte[]> framesWith(byte[] marker) {
        return frames().stream().filter(f -> indexOf(f, marker) >= 0).toList();
    }

    /** How many captured frames hold each marker, in the markers' order. */
    public int[] countEach(List<byte[]> markers) {
        int[] counts = new int[markers.size()];
        for (byte[] frame : frames()) {
            for (int i = 0; i < markers.size(); i++) {
                if (indexOf(frame, markers.get(i)) >= 0) {
                    counts[i]++;
                }
            }
        }
        return counts;
    }

    /** Waits until a frame with {@code marker} is captured, and returns it. */
    public byte[] await(byte[] marker, Duration limit) {
        return Await.value(limit, () -> "a frame with marker " + Marker.text(marker) + " on " + host + "'s eth0 ("
                        + frames().size() + " frames captured)",
                () -> {
                    List<byte[]> found = framesWith(marker);
                    return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
                });
    }

    /** Waits until every marker has been captured at least once. */
    public void awaitAll(List<byte[]> markers, Duration limit) {
        Await.until(limit, () -> {
            int[] counts = countEach(markers);
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) {
                    missing.add(Marker.text(markers.get(i)));
                }
            }
            return missing.size() + " of " + markers.size() + " frames on " + host + "'s eth0; missing: "
                    + (missing.size() > 10 ? missing.subList(0, 10) + "..." : missing);
        }, () -> Arrays.stream(countEach(markers)).allMatch(c -> c > 0));
    }

    /** The pcap file tcpdump writes. */
    public Path pcap() {
        return pcap;
    }

    /**
     * How many frames tcpdump itself lost ("N packets dropped by kernel", printed when it stops),
     * or -1 while it runs: a frame missing from a capture is the bridge's loss only when this is 0.
     */
    public long droppedByTcpdump() {
        if (tcpdump.isAlive()) {
            return -1;
        }
        Matcher m = Pattern.compile("(\\d+) packets? dropped by kernel").matcher(log());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8).strip() : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** For failure messages. */
    public static String hex(byte[] frame) {
        return Hex.of(frame);
    }

    @Override
    public void close() {
        if (tcpdump.isAlive()) {
            tcpdump.destroy();
            try {
                if (!tcpdump.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    tcpdump.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                tcpdump.destroyForcibly();
            }
        }
    }
}
