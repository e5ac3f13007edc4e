package org.quietbridge.it.forwarding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.BridgeSummary;
import org.quietbridge.it.HostCounters;
import org.quietbridge.it.IperfServer;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.lab.EthtoolFeatures;
import org.quietbridge.lab.Role;

/**
 * Real TCP through the bridge from hosts without offloads (TSO, GSO, TX checksum off), as frames are on
 * a physical wire: every frame is at most the MTU with its checksum done. The bridge's ports merge them
 * with GRO and forward super-frames; the ports can neither segment nor checksum either, as a NIC
 * without those offloads, so the kernel cuts every super-frame into wire frames and checksums each in
 * software on the way out. The hosts' TCP checks every checksum, and the bridge's counters equal the
 * hosts' interface counters frame for frame and byte for byte.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@LabTest(value = "tcpwire", hostOffloads = false)
class TcpWithoutHostOffloadsTest {
    private static LabFixture fixture;

    @Test
    void tcpCrossesBothWaysAndTheCountersEqualTheHostsInterfaceCounters() {
        for (Role host : List.of(Role.AP, Role.CORE)) {
            EthtoolFeatures features = EthtoolFeatures.parse(fixture.run(host, "ethtool", "-k", "eth0").stdout());
            for (String offload : List.of("tcp-segmentation-offload", "generic-segmentation-offload", "tx-checksumming")) {
                assertFalse(features.isOn(offload), host + " eth0 has " + offload + " on");
            }
        }
        // Nothing reaches a host before a bridge runs, and the bridge sends nothing of its own: what each
        // host's eth0 receives from now on is what the bridge sent it. With failover: off, for the kernel's
        // stand-in would carry a host's chatter in the moment before the data plane takes the ports (a CI run
        // saw the core host get one frame more than core0 sent) and after the stop.
        HostCounters apBefore = HostCounters.read(fixture, Role.AP);
        HostCounters coreBefore = HostCounters.read(fixture, Role.CORE);
        for (String port : List.of("ap0", "core0")) {
            fixture.run(Role.BR, "ethtool", "-K", port, "tx", "off", "tso", "off", "gso", "off");
        }
        BridgeProcess bridge = fixture.startBridge("bridge", "ports: [ap0, core0]\nfailover: off\n");
        try (IperfServer server = IperfServer.start(fixture, Role.CORE, fixture.lab().ipv4(Role.CORE))) {
            assertTrue(server.runClient(Role.AP, "-t", "3") > IperfServer.FLOOR_BITS_PER_SECOND, "ap -> core");
            assertTrue(server.runClient(Role.AP, "-t", "3", "-R") > IperfServer.FLOOR_BITS_PER_SECOND, "core -> ap");
        }
        BridgeSummary summary = bridge.stop().assertClean().summary();
        HostCounters ap = HostCounters.read(fixture, Role.AP).minus(apBefore);
        HostCounters core = HostCounters.read(fixture, Role.CORE).minus(coreBefore);

        assertTrue(summary.counter("ap0", "rx_super_frames") > 100, "GRO on the port merged the AP's frames");
        assertEquals(core.rxPackets(), summary.counter("core0", "tx_frames"), "frames to the core host");
        assertEquals(core.rxBytes(), summary.counter("core0", "tx_bytes"), "bytes to the core host");
        assertEquals(ap.rxPackets(), summary.counter("ap0", "tx_frames"), "frames to the AP host");
        assertEquals(ap.rxBytes(), summary.counter("ap0", "tx_bytes"), "bytes to the AP host");
        assertEquals(0, ap.tcpInCsumErrors() + core.tcpInCsumErrors(), "every segment's checksum was right");
        for (String port : List.of("ap0", "core0")) {
            for (String counter : List.of("drop_too_big", "drop_truncated", "checksum_unfixable", "malformed")) {
                assertEquals(0, summary.counter(port, counter), port + " " + counter);
            }
        }
    }
}
