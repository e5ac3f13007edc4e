package org.quietbridge.it.filtering;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.Direction;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.Marker;
import org.quietbridge.it.Wire;

/**
 * Rules scoped the way Princeton OIT scoped its filter, to wireless networks only: by VLAN
 * (the shipped {@code examples/netbios-wireless-vlans.yaml}, VLANs 100-199) and by ingress
 * port. The VLAN a rule sees is the outermost tag, the one the kernel strips before the ring;
 * a NetBIOS broadcast outside the scope crosses untouched.
 */
@LabTest("scope")
class ScopedRulesTest {
    private static LabFixture fixture;
    private static Wire wire;

    /** One NetBIOS broadcast inside the given tags ({TPID, TCI}, outermost first) and whether the rules must drop it. */
    private record Case(String name, int[][] tags, boolean dropped) {
    }

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void buildLab() {
        wire = Wire.open(fixture);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void wirelessVlanExampleDropsOnlyInsideVlans100To199() {
        String example = read("examples/netbios-wireless-vlans.yaml");
        List<Case> cases = List.of(
                new Case("vlan-100", new int[][] {{0x8100, 100}}, true),
                new Case("vlan-199", new int[][] {{0x8100, 199}}, true),
                new Case("vlan-99", new int[][] {{0x8100, 99}}, false),
                new Case("vlan-200", new int[][] {{0x8100, 200}}, false),
                new Case("untagged", new int[][] {}, false),
                new Case("qinq-outer-150", new int[][] {{0x88A8, 150}, {0x8100, 10}}, true),
                new Case("qinq-outer-300-inner-150", new int[][] {{0x88A8, 300}, {0x8100, 150}}, false));

        try (BridgeProcess bridge = fixture.startBridge("wireless-vlans", "ports: [ap0, core0]\n" + example)) {
            int dropped = 0;
            for (Direction d : Direction.values()) {
                dropped += assertCases(d, cases);
            }

            BridgeProcess.Stopped stopped = bridge.stop().assertClean();
            assertEquals(dropped, stopped.summary().hits("wireless-netbios-broadcast-l2"), stopped.output());
            assertEquals(dropped, stopped.summary().counter("ap0", "drop_rule")
                    + stopped.summary().counter("core0", "drop_rule"), stopped.output());
        }
    }

    /** A rule with {@code ingress: ap0} drops what comes from the wireless side only. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void ingressScopedRuleDropsOnlyWhatEntersThroughThatPort() {
        String config = """
                ports: [ap0, core0]
                rules:
                  - name: netbios-from-wireless
                    match:
                      ingress: ap0
                      ip_protocol: udp
                      dst_port: [137, 138]
                      l2_dst: [broadcast, multicast]
                    action: drop
                """;
        List<Case> untagged = List.of(new Case("ingress-scoped", new int[][] {}, true));
        try (BridgeProcess bridge = fixture.startBridge("ingress", config)) {
            assertCases(Direction.AP_TO_CORE, untagged);
            assertCases(Direction.CORE_TO_AP, List.of(new Case("ingress-scoped", new int[][] {}, false)));

            BridgeProcess.Stopped stopped = bridge.stop().assertClean();
            assertEquals(1, stopped.summary().counter("ap0", "drop_rule"), stopped.output());
            assertEquals(0, stopped.summary().counter("core0", "drop_rule"), stopped.output());
        }
    }

    /** Sends each case as a NetBIOS name query broadcast in direction {@code d}; returns how many must be dropped. */
    private static int assertCases(Direction d, List<Case> cases) {
        List<byte[]> markers = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        for (Case c : cases) {
            byte[] marker = Marker.of(c.name() + "-" + d.tag() + "-" + System.nanoTime());
            FrameBuilder f = FrameBuilder.ethernet().src(d.srcMac()).broadcast();
            for (int[] tag : c.tags()) {
                f.tag(tag[0], tag[1]);
            }
            markers.add(marker);
            frames.add(f.udp(d.srcIp(), "10.77.0.255", 137, 137).payload(marker).build());
        }
        wire.sendAndSettle(d.from, frames);
        int dropped = 0;
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            if (c.dropped()) {
                wire.assertNeverArrived(c.name() + " " + d, markers.get(i), frames.get(i), d.to);
                dropped++;
            } else {
                wire.assertCrossedOnceUnchanged(c.name() + " " + d, markers.get(i), frames.get(i), d.from, d.to);
            }
        }
        return dropped;
    }

    private static String read(String repoFile) {
        try {
            return Files.readString(LabFixture.repoRoot().resolve(repoFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
