package org.quietbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.Role;

/**
 * Puts crafted frames on a host's wire exactly as built: a raw {@code AF_PACKET} socket bound
 * to the host's eth0 (protocol 0, so it receives nothing), one {@code send} per frame, in
 * order. The kernel adds nothing to a raw frame: no padding, no tag handling, no checksum.
 */
final class FrameSender {
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
    private static final Duration SEND_LIMIT = Duration.ofSeconds(60);

    private final LabFixture fixture;
    private final Path script;
    private final AtomicInteger batches = new AtomicInteger();

    FrameSender(LabFixture fixture) {
        this.fixture = fixture;
        this.script = fixture.write("send-frames.py", SCRIPT);
    }

    /** Sends {@code frames} out of {@code host}'s eth0, in order, and returns when all are sent. */
    void send(Role host, List<byte[]> frames) {
        CommandResult sent = fixture.lab().exec(host, SEND_LIMIT, LabFixture.python(), script.toString(), "eth0",
                batchFile(frames).toString()).orThrow();
        assertEquals(Integer.toString(frames.size()), sent.stdout().strip(), "frames the sender reports as sent");
    }

    /** Starts sending {@code frames} from {@code host} and returns at once, for traffic in both directions at a time. */
    Process startSending(Role host, List<byte[]> frames) {
        Path out = fixture.dir().resolve("send-" + batches.incrementAndGet() + ".out");
        return fixture.lab().start(host, out, LabFixture.python(), script.toString(), "eth0",
                batchFile(frames).toString());
    }

    private Path batchFile(List<byte[]> frames) {
        HexFormat hex = HexFormat.of();
        String lines = frames.stream().map(hex::formatHex).collect(Collectors.joining("\n", "", "\n"));
        return fixture.write("frames-" + batches.incrementAndGet() + ".hex", lines);
    }
}
