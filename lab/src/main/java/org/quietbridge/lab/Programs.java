package org.quietbridge.lab;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds a program the lab runs: on {@code PATH}, then in /usr/sbin and /sbin, where Debian puts
 * the network tools but where a non-login root shell's {@code PATH} may not look. The lab runs
 * programs by absolute path, also inside {@code ip netns exec}, so a namespace's view of
 * {@code PATH} does not matter.
 */
public final class Programs {
    private static final List<String> SBIN = List.of("/usr/sbin", "/sbin");

    private Programs() {
    }

    /** The absolute path of {@code program}, if it is installed. */
    public static Optional<Path> find(String program) {
        List<String> folders = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            folders.addAll(List.of(path.split(File.pathSeparator)));
        }
        folders.addAll(SBIN);
        return folders.stream()
                .filter(folder -> !folder.isEmpty())
                .map(folder -> Path.of(folder, program))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
