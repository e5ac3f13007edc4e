package org.quietbridge.bridge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Prometheus alert rules and the Grafana dashboard in {@code monitoring/}: they name only metrics the
 * bridge exposes, the rules hold the alerts an operator needs, pass {@code promtool check rules} and
 * their own {@code promtool test rules} (where promtool is installed: Debian's prometheus package, which
 * .ci/run installs), and the dashboard is JSON Grafana can provision.
 */
@Timeout(120)
class MonitoringFilesTest {
    static final Path MONITORING = Path.of("..", "monitoring").toAbsolutePath().normalize();
    static final Path RULES = MONITORING.resolve("prometheus/quietbridge.rules.yml");
    static final Path RULE_TESTS = MONITORING.resolve("prometheus/quietbridge.rules.test.yml");
    static final Path DASHBOARD = MONITORING.resolve("grafana/quietbridge.json");
    private static final Pattern METRIC = Pattern.compile("\\bquietbridge_[a-z0-9_]+");

    /** Every quietbridge metric name {@code file} mentions. */
    static Set<String> metricsNamedIn(Path file) throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(Files.readString(file));
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    @Test
    void theRulesAndTheDashboardNameOnlyMetricsTheBridgeExposes() throws IOException {
        for (Path file : List.of(RULES, DASHBOARD)) {
            Set<String> named = metricsNamedIn(file);
            assertTrue(named.size() > 5, file + " names metrics: " + named);
            Set<String> unknown = new TreeSet<>(named);
            unknown.removeAll(BridgeMetrics.metricNames());
            assertEquals(Set.of(), unknown, file + " names metrics the bridge does not expose");
        }
    }

    @Test
    void theRulesAlertOnWhatAnOperatorMustKnow() throws IOException {
        String rules = Files.readString(RULES);
        for (String alert : List.of("QuietbridgeDown", "QuietbridgeNotScraped", "QuietbridgeFailoverActive",
                "QuietbridgeRingDrops", "QuietbridgeStorm", "QuietbridgeFdbFull", "QuietbridgeReloadFailing",
                "QuietbridgeNlbUnknownCluster")) {
            assertTrue(rules.contains("- alert: " + alert + "\n"), alert);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDashboardIsProvisionableJsonWithAPanelPerConcern() throws IOException {
        Map<String, Object> dashboard = StrictJson.object(Files.readString(DASHBOARD));
        assertEquals("quietbridge", dashboard.get("uid"));
        List<String> titles = new ArrayList<>();
        for (Object p : (List<Object>) dashboard.get("panels")) {
            titles.add((String) ((Map<String, Object>) p).get("title"));
        }
        for (String title : List.of("Broadcast/multicast removed (5 min)", "Rule hits", "NLB clusters", "ARP containment",
                "Storm control", "Failover", "RX ring drops", "Data-plane load", "Frames not forwarded, by port and reason")) {
            assertTrue(titles.contains(title), title + " in " + titles);
        }
        String text = Files.readString(DASHBOARD);
        assertTrue(text.contains("\"uid\": \"${datasource}\""), "panels take the datasource variable");
    }

    @Test
    void promtoolChecksAndTestsTheRules() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        Assumptions.assumeTrue(Files.isExecutable(promtool),
                "no promtool (apt-get install prometheus, as .ci/run does)");
        for (List<String> args : List.of(List.of("check", "rules", RULES.toString()),
                List.of("test", "rules", RULE_TESTS.toString()))) {
            List<String> command = new ArrayList<>(List.of(promtool.toString()));
            command.addAll(args);
            Process p = new ProcessBuilder(command).directory(RULES.getParent().toFile()).redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool " + args + " did not finish");
            assertEquals(0, p.exitValue(), "promtool " + args + ":\n" + out);
            assertTrue(out.contains("SUCCESS"), out);
        }
    }
}
