package org.quietbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Restricted methods of {@code java.lang.foreign} (a native linker, a segment's size made up) are called
 * in {@code org.quietbridge.bridge.sys} only: that is where {@code @SuppressWarnings("restricted")} may
 * stand, in the main code of every module and of the JMH benchmarks. The annotation stays in the sources, so the sources are read.
 */
class RestrictedMethodsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern RESTRICTED = Pattern.compile("\"restricted\"|\\.reinterpret\\(");
    private static final String SYS = "org/quietbridge/bridge/sys/";

    @Test
    void onlySysSaysRestricted() throws IOException {
        List<Path> sources = mainSources();
        assertFalse(sources.isEmpty(), "no sources under " + ROOT);
        List<String> outside = sources.stream().filter(p -> !p.toString().replace('\\', '/').contains(SYS))
                .filter(p -> RESTRICTED.matcher(read(p)).find()).map(p -> ROOT.relativize(p).toString()).toList();
        assertEquals(List.of(), outside, "restricted methods outside " + SYS);
        assertFalse(sources.stream().filter(p -> p.toString().contains(SYS))
                .noneMatch(p -> read(p).contains("@SuppressWarnings(\"restricted\")")),
                "the check must see sys's own restricted calls, or it checks nothing");
    }

    private static List<Path> mainSources() throws IOException {
        try (Stream<Path> top = Files.list(ROOT)) {
            return Stream.concat(top, Stream.of(ROOT.resolve("bench/jmh"))).map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).flatMap(dir -> {
                try (Stream<Path> files = Files.walk(dir)) {
                    return files.filter(f -> f.toString().endsWith(".java")).toList().stream();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
