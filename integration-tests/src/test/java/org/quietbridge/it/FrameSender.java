package org.quietbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.Role;

/**
 * Puts crafted frames on a host's wire exactly as built: a raw {@code AF_PACKET} socket bound
 * to the host's eth0 (protocol 0, so it receives nothing), one {@code send} per frame, in
 * order, from one CPU. The kernel adds nothing to a raw frame: no padding, no tag handling, no
 * checksum.
 */
public final class FrameSender {
    private static final String SCRIPT = """
            import socket, sys
            # argv: interface, file with one frame per line in hex
            ifname, path = sys.argv[1], sys.argv[2]
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            s.bind((ifname, 0))
            n = 0
            with open(path) as f:
                for line in f:
                    line = line.strip()
                    if not line:
                        continue
                    frame = bytes.fromhex(line)
                    sent = s.send(frame)
                    if sent != len(frame):
                        sys.exit("short send: %d of %d bytes" % (sent, len(frame)))
                    n += 1
            print(n)
            """;
    /**
     * The same with PACKET_VNET_HDR: each line is a struct virtio_net_hdr, a space, then the frame, so
     * a frame can be a GSO super-frame with a partial checksum, exactly as a TSO sender's stack hands it
     * to the device (the kernel checks the header: af_packet.c packet_snd, virtio_net_hdr_to_skb).
     */
    private static final String VNET_SCRIPT = """
            import socket, sys
            # argv: interface, file with one "header frame" pair per line in hex
            ifname, path = sys.argv[1], sys.argv[2]
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            s.setsockopt(263, 15, 1)  # SOL_PACKET, PACKET_VNET_HDR
            s.bind((ifname, 0))
            n = 0
            with open(path) as f:
                for line in f:
                    words = line.split()
                    if not words:
                        continue
                    data = bytes.fromhex(words[0]) + bytes.fromhex(words[1])
                    sent = s.send(data)
                    if sent != len(data):
                        sys.exit("short send: %d of %d bytes" % (sent, len(data)))
                    n += 1
            print(n)
            """;
    private static final Duration SEND_LIMIT = Duration.ofSeconds(60);
    private static final Path TASKSET = Path.of("/usr/bin/taskset");

    private final LabFixture fixture;
    private final Path script;
    private final Path vnetScript;
    private final AtomicInteger batches = new AtomicInteger();

    public FrameSender(LabFixture fixture) {
        this.fixture = fixture;
        this.script = fixture.write("send-frames.py", SCRIPT);
        this.vnetScript = fixture.write("send-vnet-frames.py", VNET_SCRIPT);
    }

    /**
     * Sends each frame with its virtio-net header ({@code headers[i]}, 10 bytes) out of {@code host}'s
     * eth0, in order: super-frames that the host's device passes on whole (a veth does).
     */
    public void sendWithVnetHeaders(Role host, List<byte[]> headers, List<byte[]> frames) {
        HexFormat hex = HexFormat.of();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < frames.size(); i++) {
            lines.append(hex.formatHex(headers.get(i))).append(' ').append(hex.formatHex(frames.get(i))).append('\n');
        }
        Path batch = fixture.write("vnet-frames-" + batches.incrementAndGet() + ".hex", lines.toString());
        CommandResult sent = fixture.lab().exec(host, SEND_LIMIT, LabFixture.python(), vnetScript.toString(), "eth0",
                batch.toString()).orThrow();
        assertEquals(Integer.toString(frames.size()), sent.stdout().strip(), "frames the sender reports as sent");
    }

    /** Sends {@code frames} out of {@code host}'s eth0, in order, and returns when all are sent. */
    public void send(Role host, List<byte[]> frames) {
        CommandResult sent = fixture.lab().exec(host, SEND_LIMIT, command(batchFile(frames))).orThrow();
        assertEquals(Integer.toString(frames.size()), sent.stdout().strip(), "frames the sender reports as sent");
    }

    /** Starts sending {@code frames} from {@code host} and returns at once, for traffic in both directions at a time. */
    public Process startSending(Role host, List<byte[]> frames) {
        Path out = fixture.dir().resolve("send-" + batches.incrementAndGet() + ".out");
        return fixture.lab().start(host, out, command(batchFile(frames)));
    }

    /**
     * Pinned to CPU 0: veth hands a frame to the per-CPU backlog of the CPU that sends it, so a
     * sender that migrates mid-burst could have two CPUs deliver its frames out of order.
     */
    private String[] command(Path batch) {
        List<String> argv = new ArrayList<>();
        if (Files.isExecutable(TASKSET)) {
            argv.addAll(List.of(TASKSET.toString(), "-c", "0"));
        }
        argv.addAll(List.of(LabFixture.python(), script.toString(), "eth0", batch.toString()));
        return argv.toArray(String[]::new);
    }

    private Path batchFile(List<byte[]> frames) {
        HexFormat hex = HexFormat.of();
        String lines = frames.stream().map(hex::formatHex).collect(Collectors.joining("\n", "", "\n"));
        return fixture.write("frames-" + batches.incrementAndGet() + ".hex", lines);
    }
}
