package org.quietbridge.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.IperfServer;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.ManagementApi;
import org.quietbridge.it.ServiceUser;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.CommandRunner;
import org.quietbridge.lab.EthtoolFeatures;
import org.quietbridge.lab.Role;

/**
 * The bridge as the service runs it: an unprivileged user (here nobody, 65534) holding only CAP_NET_RAW
 * and CAP_NET_ADMIN, as ambient capabilities (setpriv does what the unit's AmbientCapabilities does).
 * Everything still works: forwarding with the ports' offloads set, the management API, the SIGUSR1
 * dump, a SIGHUP reload, and failover (the stand-in is written with nft by the same user, and the
 * kernel forwards after a kill -9).
 */
@LabTest("unpriv")
class UnprivilegedRunTest {
    private static final String UID = "65534";
    /** CAP_NET_ADMIN (12) and CAP_NET_RAW (13), and nothing else: /proc/PID/status CapEff. */
    private static final String CAPS = "0000000000003000";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static LabFixture fixture;
    private static Path runtime;

    /**
     * The launcher, the jar and its libraries, copied where any user may read them (the repository may
     * sit under a directory only root can enter), with the configuration and the dump directory.
     */
    private static Path readableRuntime() throws IOException {
        Path dir = Files.createTempDirectory("qb-unpriv-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path repo = LabFixture.repoRoot();
        for (String part : List.of("bin/quietbridge", "cli/target/quietbridge.jar", "cli/target/lib")) {
            copy(repo.resolve(part), dir.resolve(part));
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                        Files.isDirectory(p) || Files.isExecutable(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return dir;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                Files.createDirectories(Files.isDirectory(p) ? target : target.getParent());
                if (!Files.isDirectory(p)) {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    @AfterAll
    static void removeRuntime() throws IOException {
        if (runtime != null) {
            try (Stream<Path> all = Files.walk(runtime)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static String procStatus(long pid, String key) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith(key + ":")).findFirst().orElseThrow().substring(key.length() + 1).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertPing(String what) {
        CommandResult ping = fixture.lab().exec(Role.AP, WAIT, "ping", "-c", "2", "-i", "0.2", "-W", "2",
                fixture.lab().ipv4(Role.CORE));
        assertEquals(0, ping.exitCode(), what + ": " + ping.stdout() + ping.stderr());
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void asAnUnprivilegedUserWithTwoCapabilitiesEverythingWorks() throws Exception {
        runtime = readableRuntime();
        Path dumps = Files.createDirectories(runtime.resolve("dumps"));
        CommandRunner.run(List.of("chown", UID + ":" + UID, dumps.toString()), WAIT).orThrow();
        Path config = Files.writeString(runtime.resolve("quietbridge.yaml"), "ports: [ap0, core0]\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> command = new ArrayList<>(ServiceUser.asTheUnitRuns(UID));
        command.addAll(List.of(runtime.resolve("bin/quietbridge").toString(), "run", "-c", config.toString(), "--dump-dir",
                dumps.toString()));
        BridgeProcess bridge = BridgeProcess.launchCommand(fixture, "unpriv", config, command);
        bridge.awaitReady();
        Await.until(WAIT, () -> "the API line; the bridge wrote:\n" + bridge.output(),
                () -> bridge.output().contains(BridgeProcess.API_LINE));

        assertEquals(UID, procStatus(bridge.pid(), "Uid").split("\\s+")[1], "effective uid");
        assertEquals(CAPS, procStatus(bridge.pid(), "CapEff"), "effective capabilities");
        assertTrue(bridge.output().contains("failover: the kernel stands in"), bridge.output());

        // Forwarding, with the ports' offloads as the bridge sets them (GRO on), TCP as super-frames.
        assertPing("while the unprivileged bridge runs");
        EthtoolFeatures ap0 = EthtoolFeatures.parse(fixture.run(Role.BR, "ethtool", "-k", "ap0").stdout());
        assertTrue(ap0.isOn("generic-receive-offload"), "the bridge turned GRO on");
        try (IperfServer server = IperfServer.start(fixture, Role.CORE, fixture.lab().ipv4(Role.CORE))) {
            assertTrue(server.runClient(Role.AP, "-t", "2") > IperfServer.FLOOR_BITS_PER_SECOND);
        }

        // The API answers.
        assertEquals("enforce", new ManagementApi(fixture).get("/api/status").expect(200, "status").get("mode"));

        // SIGUSR1: the dropped NetBIOS broadcast lands in a pcap the service user wrote.
        fixture.sender().send(Role.AP, List.of(FrameBuilder.ethernet().src(fixture.lab().mac(Role.AP)).broadcast()
                .udp(fixture.lab().ipv4(Role.AP), "255.255.255.255", 137, 137).payload(50).build()));
        ManagementApi api = new ManagementApi(fixture);
        Await.until(WAIT, "the broadcast to be dropped and counted", () -> ManagementApi.sample(api.metrics(),
                "quietbridge_rule_hits_total", "rule", "netbios-broadcast-l2", "action", "drop") >= 1);
        bridge.signal("USR1");
        Await.until(WAIT, () -> "the dump line:\n" + bridge.output(), () -> bridge.output().contains("dropped frames to "));
        try (Stream<Path> files = Files.list(dumps)) {
            List<Path> pcaps = files.filter(f -> f.toString().endsWith(".pcap")).toList();
            assertEquals(1, pcaps.size(), bridge.output());
            assertEquals(UID, Integer.toString((Integer) Files.getAttribute(pcaps.getFirst(), "unix:uid")));
        }

        // SIGHUP: the edited configuration is read and applied.
        Files.writeString(config, "ports: [ap0, core0]\nmode: monitor\n");
        bridge.signal("HUP");
        Await.until(WAIT, () -> "the reload line:\n" + bridge.output(), () -> bridge.output().contains(": reloaded, "));
        assertEquals("monitor", new ManagementApi(fixture).get("/api/status").expect(200, "status").get("mode"));

        // kill -9: the stand-in the unprivileged user wrote bridges the ports.
        CommandRunner.run(List.of("kill", "-KILL", Long.toString(bridge.pid())), WAIT).orThrow();
        Await.until(WAIT, "the bridge to die", () -> !bridge.isAlive());
        assertPing("after kill -9 of the unprivileged bridge: the kernel's stand-in forwards");
    }
}
