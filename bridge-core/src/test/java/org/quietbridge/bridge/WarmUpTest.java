package org.quietbridge.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.quietbridge.bridge.agent.BackoffIdleStrategy;
import org.quietbridge.bridge.config.BridgeConfig;
import org.quietbridge.bridge.config.RingSettings;
import org.quietbridge.bridge.forward.BridgeSettings;
import org.quietbridge.bridge.sys.Ifreq;
import org.quietbridge.bridge.sys.LinuxSyscalls;
import org.quietbridge.bridge.sys.NetDeviceControl;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.RuleSetLoader;

/** The warm-up runs through the loopback interface, forwards what it was asked to, and leaves it as it was. */
class WarmUpTest {
    @Test
    void forwardsThroughTheLoopbackAndLeavesItAsItWas() throws Exception {
        assumeTrue(LinuxSyscalls.geteuid() == 0, "needs root (CAP_NET_RAW, CAP_NET_ADMIN)");
        int flagsBefore;
        boolean groBefore;
        try (NetDeviceControl control = new NetDeviceControl()) {
            flagsBefore = control.flags(WarmUp.LOOPBACK);
            groBefore = control.gro(WarmUp.LOOPBACK);
        }
        WarmUp.Result result = WarmUp.run(BridgeSettings.defaults(),
                CompiledRules.compile(RuleSetLoader.defaults(), List.of("warm0", WarmUp.LOOPBACK)),
                RingSettings.defaults(), new BackoffIdleStrategy(), 2, 1500, 20_000);
        assertNull(result.failedBecause(), result.describe());
        assertNull(result.memoryOnlyBecause(), result.describe());
        assertTrue(result.frames() >= 20_000, result.describe() + ": " + result.frames() + " frames");
        assertTrue(result.describe().startsWith("warm-up "), result.describe());
        try (NetDeviceControl control = new NetDeviceControl()) {
            assertEquals(flagsBefore & Ifreq.IFF_PROMISC, control.flags(WarmUp.LOOPBACK) & Ifreq.IFF_PROMISC,
                    "promiscuous flag");
            assertEquals(groBefore, control.gro(WarmUp.LOOPBACK), "GRO");
        }
    }

    @Test
    void warmsUpABridgeOfThreePortsWithAStaticNlbClusterOnTheThird() {
        // Static entries name ports by index: the warm-up's agent has as many ports as the bridge.
        BridgeConfig config = BridgeConfig.parse("three.yaml", """
                ports: [a0, b0, c0]
                fdb: {static: [{mac: "02:00:00:00:00:99", port: c0}]}
                nlb: {mode: contain, static: [{cluster: 10.0.0.50, ports: [c0]}]}
                """);
        WarmUp.Result result = WarmUp.run(config.settings(), config.compileRules(), config.ring(),
                new BackoffIdleStrategy(), config.ports().size(), 1500, 5_000);
        assertTrue(result.frames() >= 5_000, result.describe());
    }

    @Test
    void saysWhyItFailed() {
        assertEquals("no warm-up, it failed: boom", WarmUp.Result.failed(new IllegalStateException("boom"), 5).describe());
    }

    @Test
    void saysWhyWhenItRanInMemoryOnly() {
        assertEquals("warm-up 12 ms in memory only: no loopback",
                new WarmUp.Result(10, 12_000_000L, "no loopback", null).describe());
    }
}
