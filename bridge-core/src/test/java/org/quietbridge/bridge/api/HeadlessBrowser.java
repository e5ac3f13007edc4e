package org.quietbridge.bridge.api;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Where the browser that the dashboard's tests run headless is: Chromium or Chrome, on PATH. */
public final class HeadlessBrowser {
    /** The names looked for, in this order. */
    public static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");

    private HeadlessBrowser() {
    }

    /** The first of {@link #NAMES} found on PATH ("/usr/bin:/bin" without one). */
    public static Optional<Path> find() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String name : NAMES) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }
}
