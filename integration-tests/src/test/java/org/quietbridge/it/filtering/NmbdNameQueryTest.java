package org.quietbridge.it.filtering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.it.Await;
import org.quietbridge.it.BridgeProcess;
import org.quietbridge.it.LabFixture;
import org.quietbridge.it.LabTest;
import org.quietbridge.lab.CommandResult;
import org.quietbridge.lab.Role;

/**
 * Samba itself, as a campus sees it: {@code nmbd} serves the NetBIOS name QBCORE in the core
 * namespace, and a client in ap asks for it with {@code nmblookup}. Through the bridge the
 * broadcast query (to 10.77.0.255, the way Windows resolves names without WINS) goes
 * unanswered, because the bridge drops it, while the unicast query (WINS-style, straight to
 * 10.77.0.20) is answered. With the bridge in monitor mode the same broadcast query is
 * answered: the failure above is the bridge's doing, and this test can tell.
 *
 * <p>nmbd runs with a configuration of its own whose state, lock, cache and log folders are
 * in the work folder: nothing of the machine's Samba is touched. Samba 4.17's nmblookup spells
 * "recursion desired" {@code --recursion} ({@code -R} became --name-resolve).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@LabTest("nmbd")
class NmbdNameQueryTest {
    private static final String NAME = "QBCORE";
    private static final String ANSWER = "10.77.0.20 QBCORE<00>";
    /** nmbd starts, reads its config, binds, registers its names: seconds, more on a loaded machine. */
    private static final Duration NMBD_LIMIT = Duration.ofSeconds(90);
    private static final Duration LOOKUP_LIMIT = Duration.ofSeconds(30);
    private static final int BROADCAST_ATTEMPTS = 3;

    private static LabFixture fixture;
    private static Path serverConf;
    private static Path clientConf;
    private static Process nmbd;
    private static Path nmbdLog;

    @BeforeAll
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    static void startNmbd() {
        serverConf = sambaConfig("server", NAME, "wins support = no\n  dns proxy = no\n  local master = no\n"
                + "  domain master = no\n  preferred master = no\n  os level = 0\n");
        clientConf = sambaConfig("client", "QBAP", "");
        nmbdLog = fixture.freshPath("nmbd", "log");
        nmbd = fixture.lab().start(Role.CORE, nmbdLog, "nmbd", "--foreground", "--no-process-group", "--debug-stdout",
                "--debuglevel=1", "--configfile=" + serverConf);
    }

    @Test
    @Order(1)
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void broadcastNameQueryGoesUnansweredWhileUnicastQueryIsAnswered() {
        try (BridgeProcess bridge = fixture.startBridge("enforce", "ports: [ap0, core0]\n")) {
            awaitUnicastAnswer();

            for (int attempt = 1; attempt <= BROADCAST_ATTEMPTS; attempt++) {
                CommandResult lookup = broadcastLookup();
                assertFalse(lookup.stdout().contains(ANSWER), "attempt " + attempt
                        + ": the broadcast name query was answered through the bridge:\n" + lookup.stdout());
                assertNotEquals(0, lookup.exitCode(), "attempt " + attempt + ": " + lookup.stdout() + lookup.stderr());
            }

            BridgeProcess.Stopped stopped = bridge.stop().assertClean();
            assertTrue(stopped.summary().counter("ap0", "drop_rule") >= BROADCAST_ATTEMPTS,
                    "the queries from ap were dropped by a rule:\n" + stopped.output());
            assertTrue(stopped.summary().hits("netbios-broadcast-l2") >= BROADCAST_ATTEMPTS, stopped.output());
        }
    }

    @Test
    @Order(2)
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void broadcastNameQueryIsAnsweredWhenTheBridgeOnlyMonitors() {
        try (BridgeProcess bridge = fixture.startBridge("monitor", "ports: [ap0, core0]\nmode: monitor\n")) {
            awaitUnicastAnswer();

            String answer = Await.value(LOOKUP_LIMIT, () -> "an answer to the broadcast query in monitor mode; nmbd:\n"
                    + read(nmbdLog), () -> {
                        CommandResult lookup = broadcastLookup();
                        return lookup.stdout().contains(ANSWER) ? Optional.of(lookup.stdout()) : Optional.empty();
                    });
            assertTrue(answer.contains(ANSWER), answer);

            BridgeProcess.Stopped stopped = bridge.stop().assertClean();
            assertEquals(0, stopped.summary().counter("ap0", "drop_rule"), "monitor mode dropped:\n" + stopped.output());
            assertEquals(0, stopped.summary().counter("core0", "drop_rule"), "monitor mode dropped:\n" + stopped.output());
            assertTrue(stopped.summary().hits("netbios-broadcast-l2") >= 1,
                    "monitor mode counts what it would drop:\n" + stopped.output());
        }
    }

    /** Polls the unicast query until nmbd answers it: nmbd is up, and unicast NetBIOS crosses the bridge. */
    private static void awaitUnicastAnswer() {
        Await.until(NMBD_LIMIT, () -> "nmbd to answer \"nmblookup -U 10.77.0.20 --recursion " + NAME + "\"; nmbd:\n"
                + read(nmbdLog), () -> {
                    if (!nmbd.isAlive()) {
                        fail("nmbd exited:\n" + read(nmbdLog));
                    }
                    return lookup("-U", "10.77.0.20", "--recursion", NAME).stdout().contains(ANSWER);
                });
    }

    private static CommandResult broadcastLookup() {
        return lookup("-B", "10.77.0.255", NAME);
    }

    private static CommandResult lookup(String... args) {
        String[] argv = new String[args.length + 2];
        argv[0] = "nmblookup";
        argv[1] = "--configfile=" + clientConf;
        System.arraycopy(args, 0, argv, 2, args.length);
        return fixture.lab().exec(Role.AP, LOOKUP_LIMIT, argv);
    }

    /** A minimal smb.conf whose every state folder is under the work folder. */
    private static Path sambaConfig(String role, String netbiosName, String extra) {
        Path root = fixture.dir().resolve("samba-" + role);
        try {
            for (String sub : List.of("lock", "state", "cache", "private", "pid", "ncalrpc", "log")) {
                Files.createDirectories(root.resolve(sub));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fixture.write("smb-" + role + ".conf", """
                [global]
                  netbios name = %s
                  workgroup = QBLAB
                  server role = standalone server
                  interfaces = eth0
                  bind interfaces only = yes
                  disable netbios = no
                  lock directory = %s/lock
                  state directory = %s/state
                  cache directory = %s/cache
                  private dir = %s/private
                  pid directory = %s/pid
                  ncalrpc dir = %s/ncalrpc
                  log file = %s/log/log.%%m
                  logging = file
                  %s""".formatted(netbiosName, root, root, root, root, root, root, root, extra));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
