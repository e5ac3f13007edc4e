package org.quietbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** quietbridge(1): every command and option is in it, groff reads it without a warning, and the repository's copy is current. */
@Timeout(60)
class ManPageTest {
    private static final Path COMMITTED = CommandRun.repositoryRoot().resolve("docs/man/quietbridge.1");

    @Test
    void everyCommandAndOptionIsInThePage() {
        CommandLine root = Main.commandLine();
        String page = ManPage.render(root);
        for (var sub : root.getSubcommands().entrySet()) {
            if (sub.getKey().equals("help")) {
                continue;
            }
            assertTrue(page.contains(".SS " + sub.getKey() + "\n"), sub.getKey());
            for (OptionSpec o : sub.getValue().getCommandSpec().options()) {
                if (!o.hidden() && !o.inherited() && !o.usageHelp() && !o.versionHelp()) {
                    assertTrue(page.contains(ManPage.text(o.longestName())), sub.getKey() + " " + o.longestName());
                }
            }
        }
        for (String nested : List.of("lab up", "lab down", "lab demo")) {
            assertTrue(page.contains(".SS " + nested + "\n"), nested);
        }
        assertTrue(page.contains(".SH EXIT STATUS\n"), page);
    }

    @Test
    void theRepositorysCopyIsTheRendering() throws Exception {
        String page = ManPage.render(Main.commandLine());
        Path rendered = Path.of("target", "quietbridge.1");
        Files.writeString(rendered, page);
        assertTrue(Files.exists(COMMITTED), "no " + COMMITTED + ": copy " + rendered.toAbsolutePath() + " there");
        assertEquals(page, Files.readString(COMMITTED), "docs/man/quietbridge.1 is out of date: copy "
                + rendered.toAbsolutePath() + " over it");
    }

    @Test
    void groffReadsItWithoutAWarning() throws Exception {
        Path groff = Path.of("/usr/bin/groff");
        Assumptions.assumeTrue(Files.isExecutable(groff), "no groff");
        Path page = Files.writeString(Files.createTempFile("quietbridge", ".1"), ManPage.render(Main.commandLine()));
        List<String> command = new ArrayList<>(List.of(groff.toString(), "-man", "-ww", "-z", "-Tutf8", page.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("", out.strip(), "groff's warnings");
        Files.delete(page);
    }
}
