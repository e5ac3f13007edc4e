package org.quietbridge.it.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.it.ServiceUser;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.CommandRunner;
import org.quietbridge.lab.Role;

/**
 * The Debian package on this machine: {@code dpkg -i} installs it without enabling the service, the
 * installed {@code quietbridge} answers {@code --version} and checks the installed configuration as the
 * service user, an upgrade keeps an edited configuration, bridges the lab as that user with only CAP_NET_RAW and CAP_NET_ADMIN, and
 * {@code dpkg --purge} leaves nothing it made. The package is purged even when the test fails.
 */
@LabTest("debi")
class DebInstallTest {
    private static final Duration LIMIT = Duration.ofSeconds(120);
    private static LabFixture fixture;

    private static CommandResult run(String... argv) {
        return CommandRunner.run(List.of(argv), LIMIT);
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void installsRunsAsItsUserAndPurgesClean() throws IOException {
        assertFalse(Files.exists(Path.of("/usr/bin/quietbridge")), "a quietbridge is installed here already: not ours");
        Path dir = Files.createTempDirectory("qb-debi-");
        try {
            CommandResult installed = run("dpkg", "-i", DebPackageTest.deb().toString());
            assertEquals(0, installed.exitCode(), installed.stdout() + installed.stderr());
            assertTrue(run("/usr/bin/quietbridge", "--version").orThrow().stdout().startsWith("quietbridge "));
            assertEquals("quietbridge", run("stat", "-c", "%G", "/etc/quietbridge/quietbridge.yaml").orThrow().stdout().strip());
            CommandResult enabled = run("systemctl", "is-enabled", "quietbridge");
            assertEquals("disabled", enabled.stdout().strip(), "installing enables nothing: " + enabled.stderr());
            List<String> check = new ArrayList<>(ServiceUser.asTheUnitRuns("quietbridge"));
            check.addAll(List.of("/usr/bin/quietbridge", "check", "-c", "/etc/quietbridge/quietbridge.yaml"));
            CommandResult checked = CommandRunner.run(check, LIMIT);
            assertEquals(0, checked.exitCode(), checked.stdout() + checked.stderr());

            // An upgrade (the package again) keeps the operator's edit: the configuration is a conffile.
            Path conf = Path.of("/etc/quietbridge/quietbridge.yaml");
            String edited = Files.readString(conf) + "# edited by the operator\n";
            Files.writeString(conf, edited);
            CommandResult again = run("dpkg", "-i", DebPackageTest.deb().toString());
            assertEquals(0, again.exitCode(), again.stdout() + again.stderr());
            assertEquals(edited, Files.readString(conf), "the edited configuration survived the upgrade");

            // The installed binary bridges the lab as the service user, with the unit's two capabilities.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path config = Files.writeString(dir.resolve("quietbridge.yaml"), "ports: [ap0, core0]\n");
            Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
            List<String> command = new ArrayList<>(ServiceUser.asTheUnitRuns("quietbridge"));
            command.addAll(List.of("/usr/bin/quietbridge", "run", "-c", config.toString()));
            BridgeProcess bridge = BridgeProcess.launchCommand(fixture, "installed", config, command);
            bridge.awaitReady();
            CommandResult ping = fixture.lab().exec(Role.AP, LIMIT, "ping", "-c", "2", "-i", "0.2", "-W", "2",
                    fixture.lab().ipv4(Role.CORE));
            assertEquals(0, ping.exitCode(), "ping through the installed bridge: " + ping.stdout() + ping.stderr());
            assertTrue(bridge.stop().assertClean().summary().counter("ap0", "rx_frames") > 0);
        } finally {
            CommandResult purged = run("dpkg", "--purge", "quietbridge");
            Files.deleteIfExists(dir.resolve("quietbridge.yaml"));
            Files.deleteIfExists(dir);
            assertEquals(0, purged.exitCode(), purged.stdout() + purged.stderr());
        }
        for (String path : List.of("/etc/quietbridge", "/usr/lib/quietbridge", "/var/lib/quietbridge", "/usr/bin/quietbridge",
                "/lib/systemd/system/quietbridge.service")) {
            assertFalse(Files.exists(Path.of(path)), path + " left after purge");
        }
        assertEquals(2, run("getent", "passwd", "quietbridge").exitCode(), "the user is gone");
    }
}
