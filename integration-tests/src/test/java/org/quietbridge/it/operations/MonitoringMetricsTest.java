package org.quietbridge.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.api.PrometheusText;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.ManagementApi;

/**
 * The Prometheus alert rules and the Grafana dashboard in {@code monitoring/} name only metrics that a
 * running bridge's {@code /metrics} has: a lab bridge with every feature on (NLB containment with a
 * static cluster, ARP containment, a storm-control limit), so that every metric has samples.
 */
@LabTest("mon")
class MonitoringMetricsTest {
    private static final Pattern METRIC = Pattern.compile("\\bquietbridge_[a-z0-9_]+");
    private static LabFixture fixture;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyMetricTheRulesAndTheDashboardNameIsOnARunningBridge() throws IOException {
        fixture.own(BridgeProcess.startWithApi(fixture, "mon", """
                ports: [ap0, core0]
                nlb: {mode: contain, static: [{cluster: 10.77.0.200, ports: [core0]}]}
                arp: {mode: unicast}
                storm_control:
                  - {port: ap0, class: broadcast, pps: 1000}
                """));
        Map<String, PrometheusText.Family> metrics = new ManagementApi(fixture).metrics();
        Set<String> present = new TreeSet<>();
        for (PrometheusText.Family f : metrics.values()) {
            for (PrometheusText.Sample s : f.samples()) {
                present.add(s.name());
            }
        }
        for (String file : List.of("monitoring/prometheus/quietbridge.rules.yml", "monitoring/grafana/quietbridge.json")) {
            Path path = LabFixture.repoRoot().resolve(file);
            Set<String> named = new TreeSet<>();
            Matcher m = METRIC.matcher(Files.readString(path));
            while (m.find()) {
                named.add(m.group());
            }
            assertTrue(named.size() > 5, file + ": " + named);
            named.removeAll(present);
            assertEquals(Set.of(), named, file + " names metrics that have no sample on a running bridge");
        }
    }
}
