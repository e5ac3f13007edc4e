package org.quietbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.bridge.forward.BridgeSettings;
import org.quietbridge.bridge.forward.NlbMode;
import org.quietbridge.bridge.forward.NlbSettings;
import org.quietbridge.bridge.port.MemoryPort;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.RuleSetLoader;

/** The NLB lines of the summary {@code run} prints when it stops. */
@Timeout(30)
class RunCommandNlbSummaryTest {

    private static String summary(NlbSettings nlb) throws Exception {
        MemoryPort ap = new MemoryPort("ap0", 1500);
        MemoryPort core = new MemoryPort("core0", 1500);
        try {
            BridgeAgent agent = new BridgeAgent(new MemoryPort[] {ap, core}, BridgeSettings.defaults().withNlb(nlb),
                    CompiledRules.compile(RuleSetLoader.defaults(), null), () -> 1_000_000_000L);
            // The operator's capture: cluster MAC 02:bf:0a:0e:23:f7 for the cluster IP 10.14.35.247.
            core.inject(FrameBuilder.ethernet().src("d8:8d:37:14:59:a8").nlbGratuitousArp("10.14.35.247").build());
            agent.doWork();
            byte[] toCluster = FrameBuilder.ethernet().src("d8:8d:37:14:59:a8").dst("02:bf:0a:0e:23:f7")
                    .tcp("10.14.35.232", "10.14.35.224", 50000, 445).payload(100).build();
            core.inject(toCluster);
            core.inject(toCluster);
            ap.inject(FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("02:bf:0a:0e:23:f7")
                    .tcp("10.14.35.10", "10.14.35.247", 50000, 445).payload(100).build());
            ap.inject(FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("02:bf:0a:0e:00:01")
                    .udp("10.14.35.10", "10.14.0.1", 5000, 5000).payload(10).build());
            agent.doWork();
            StringWriter out = new StringWriter();
            RunCommand.printNlbSummary(new PrintWriter(out, true), agent);
            return out.toString();
        } finally {
            ap.close();
            core.close();
        }
    }

    @Test
    void printsTheTableAndOneLinePerCluster() throws Exception {
        List<String> lines = summary(new NlbSettings(NlbMode.CONTAIN, 300_000_000_000L, 64, List.of()))
                .lines().toList();
        assertEquals(List.of(
                "quietbridge: nlb mode=contain clusters=2 located=1 learned=1 aged=0 table_full=0 reclaimed=0"
                        + " static_conflict=0 flooded_untracked=0",
                "quietbridge: nlb cluster 10.14.35.247 mac 02:bf:0a:0e:23:f7 ports core0 contained=2 forwarded=1"
                        + " flooded_unknown=0 moves=0 static=false",
                "quietbridge: nlb cluster 10.14.0.1 mac 02:bf:0a:0e:00:01 ports none contained=0 forwarded=0"
                        + " flooded_unknown=1 moves=0 static=false"), lines);
    }

    @Test
    void printsNothingWhenContainmentIsOff() throws Exception {
        assertEquals("", summary(NlbSettings.off(300_000_000_000L)));
    }
}
