package org.quietbridge.it.filtering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.quietbridge.bridge.api.PrometheusText;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.capture.CaptureReader;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.BridgeSummary;
import org.quietbridge.it.Capture;
import org.quietbridge.it.Direction;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.ManagementApi;
import org.quietbridge.it.TrafficStream;
import org.quietbridge.lab.Role;

/**
 * Storm control on a real wire: one client floods broadcasts at about 10,000 frames a second for six
 * seconds, while a unicast stream crosses at the same time. The bridge holds the broadcasts reaching the
 * core to the limit (500 a second, within 10%, once the first second's burst has passed), the unicast
 * stream loses nothing, the storm's start and end are logged with its source, and every storm frame
 * that did not cross is counted.
 */
@LabTest("storm")
class StormControlTest {
    private static final String STORMER = "02:00:00:00:5a:5a";
    private static final int STORM_PORT = 9999;
    private static final int LIMIT = 500;
    private static final int RATE = 10_000;
    private static final int SECONDS = 6;
    private static final long SECOND = 1_000_000_000L;
    /** Paced to RATE frames a second (or as fast as it can), for SECONDS; prints frames sent and seconds taken. */
    private static final String STORM = """
            import socket, sys, time
            ifname, frame, rate, seconds = sys.argv[1], bytes.fromhex(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
            s.bind((ifname, 0))
            total, n, t0 = rate * seconds, 0, time.monotonic()
            while n < total:
                ahead = t0 + n / rate - time.monotonic()
                if ahead > 0.001:
                    time.sleep(ahead)
                s.send(frame)
                n += 1
            print(n, round(time.monotonic() - t0, 3), flush=True)
            """;

    private static LabFixture fixture;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aBroadcastStormIsHeldToTheLimitWhileUnicastCrossesUntouched() throws Exception {
        BridgeProcess bridge = fixture.own(BridgeProcess.startWithApi(fixture, "storm", "ports: [ap0, core0]\n"
                + "storm_control:\n  - {port: ap0, class: broadcast, pps: " + LIMIT + "}\n"));
        Capture core = fixture.capture(Role.CORE, "storm", "ether broadcast and udp dst port " + STORM_PORT);
        Capture stream = fixture.capture(Role.CORE, "stream", TrafficStream.FILTER);
        byte[] storm = FrameBuilder.ethernet().src(STORMER).broadcast()
                .udp(fixture.lab().ipv4(Role.AP), "255.255.255.255", 40000, STORM_PORT).payload(18).build();
        Path script = fixture.write("storm.py", STORM);
        Path stormLog = fixture.freshPath("storm", "out");

        TrafficStream unicast = TrafficStream.start(fixture, Direction.AP_TO_CORE, 1_000, List.of(), 0);
        Process stormer = fixture.lab().start(Role.AP, stormLog, LabFixture.python(), script.toString(), "eth0",
                HexFormat.of().formatHex(storm), Integer.toString(RATE), Integer.toString(SECONDS));
        ManagementApi api = new ManagementApi(fixture);
        Await.until(Duration.ofSeconds(10), "the storm to show in /metrics", () -> {
            Map<String, PrometheusText.Family> m = api.metrics();
            return ManagementApi.sample(m, "quietbridge_storm_active", "port", "ap0", "class", "broadcast") == 1
                    && ManagementApi.sample(m, "quietbridge_storms_total", "port", "ap0", "class", "broadcast") == 1;
        });
        assertTrue(stormer.waitFor(60, TimeUnit.SECONDS), "the storm sender: " + read(stormLog));
        String[] sent = read(stormLog).strip().split(" ");
        long stormFrames = Long.parseLong(sent[0]);
        double stormRate = stormFrames / Double.parseDouble(sent[1]);
        Await.until(Duration.ofSeconds(10), () -> "the storm's end in the log:\n" + bridge.output(),
                () -> bridge.output().contains("storm control: the broadcast storm on ap0 ended"));
        TrafficStream.Sent numbered = unicast.stop();
        Await.until(Duration.ofSeconds(10), "the capture to hold the stream's last frame",
                () -> TrafficStream.countNumbered(stream.pcap(), numbered.numbered())[(int) numbered.numbered() - 1] > 0);
        BridgeSummary summary = bridge.stop().assertClean().summary();
        core.close();

        List<Long> arrivals = timestamps(core.pcap());
        long first = arrivals.getFirst();
        long held = arrivals.stream().filter(t -> t >= first + SECOND && t < first + 5 * SECOND).count();
        System.out.printf("storm control: the client sent %d broadcasts at %.0f frames/s; the core got %d in all,"
                + " %d in the first second and %.1f a second over the next four%n", stormFrames, stormRate,
                arrivals.size(), arrivals.stream().filter(t -> t < first + SECOND).count(), held / 4.0);
        assertTrue(stormRate > 4 * LIMIT, "the sender stormed: " + stormRate + " frames/s");
        assertTrue(held >= 4 * LIMIT * 0.9 && held <= 4 * LIMIT * 1.1,
                "after the first second the core got " + held + " broadcasts in 4 s; the limit is " + LIMIT + " a second");

        TrafficStream.Arrivals unicastArrivals = TrafficStream.arrivals(stream.pcap(), numbered.numbered());
        assertEquals(0, unicastArrivals.lost() + unicastArrivals.duplicated(), "the unicast stream ("
                + numbered.numbered() + " frames) crossed whole: " + TrafficStream.notExactlyOnce(unicastArrivals.counts(), 20));
        String log = bridge.output();
        assertTrue(log.contains("storm control: a broadcast storm on ap0 began: more than 500 frames/s, top source "
                + STORMER), log);
        assertTrue(log.contains("storm control: the broadcast storm on ap0 ended after"), log);
        assertTrue(log.contains("top source " + STORMER), log);
        assertEquals(0, core.droppedByTcpdump(), core.log());
        long notCrossed = stormFrames - arrivals.size();
        long counted = summary.counter("ap0", "drop_storm");
        // Every storm frame that did not cross was counted; the AP host's own broadcasts (an ARP, perhaps)
        // may add a few.
        assertTrue(counted >= notCrossed && counted <= notCrossed + 5, "not crossed " + notCrossed + ", drop_storm "
                + counted + "\n" + log);
        assertEquals(0, summary.counter("ap0", "drop_rx_ring_full"));
    }

    private static List<Long> timestamps(Path pcap) throws IOException {
        List<Long> out = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(pcap)) {
            while (reader.next()) {
                out.add(reader.timestampNanos());
            }
        }
        return out;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
