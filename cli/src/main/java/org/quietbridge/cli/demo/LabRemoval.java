package org.quietbridge.cli.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.quietbridge.lab.CampusLab;
import org.quietbridge.lab.CommandRunner;
import org.quietbridge.lab.HostTool;
import org.quietbridge.lab.Lab;

/**
 * Removes a lab, whoever built it (the three-namespace {@link Lab} or a {@link CampusLab}), and says what it removed: the processes still inside its
 * namespaces (an nmbd or iperf3 someone started by hand), the namespaces, and its
 * {@link LabFolder}. {@code quietbridge lab down} and the demo's cleanup both use it.
 *
 * @param namespaces the namespaces deleted
 * @param processes  the processes ended, as "nmbd (pid 4242)"
 * @param folder     the folder deleted, or {@code null}
 */
public record LabRemoval(List<String> namespaces, List<String> processes, Path folder) {
    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(10);

    public LabRemoval {
        namespaces = List.copyOf(namespaces);
        processes = List.copyOf(processes);
    }

    /**
     * Removes the lab {@code prefix}; does nothing when there is none.
     *
     * @throws IllegalArgumentException when {@code prefix} is not a valid lab prefix
     * @throws org.quietbridge.lab.LabException when a namespace cannot be deleted
     */
    public static LabRemoval remove(String prefix) {
        Set<String> found = new LinkedHashSet<>(Lab.existingNamespaces(prefix));
        found.addAll(CampusLab.existingNamespaces(prefix));
        List<String> namespaces = List.copyOf(found);
        List<String> processes = new ArrayList<>();
        for (String namespace : namespaces) {
            processes.addAll(processesIn(namespace));
        }
        Lab.destroy(prefix);
        CampusLab.destroy(prefix);
        LabFolder folder = LabFolder.of(prefix);
        return new LabRemoval(namespaces, processes, folder.delete() ? folder.path() : null);
    }

    /** Whether there was nothing to remove. */
    public boolean nothing() {
        return namespaces.isEmpty() && processes.isEmpty() && folder == null;
    }

    /** "namespaces qb-ap, qb-br, qb-core; ended nmbd (pid 4242); /run/quietbridge/lab-qb" */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (!namespaces.isEmpty()) {
            parts.add("namespaces " + String.join(", ", namespaces));
        }
        if (!processes.isEmpty()) {
            parts.add("ended " + String.join(", ", processes) + " in them");
        }
        if (folder != null) {
            parts.add(folder.toString());
        }
        return parts.isEmpty() ? "nothing" : String.join("; ", parts);
    }

    /** "nmbd (pid 4242)" for each process in {@code namespace}, before they are ended. */
    private static List<String> processesIn(String namespace) {
        return CommandRunner.run(List.of(HostTool.IP.require(), "netns", "pids", namespace), COMMAND_LIMIT)
                .stdout().lines()
                .map(String::strip)
                .filter(line -> line.matches("\\d+"))
                .map(Long::parseLong)
                .map(pid -> ProcessHandle.of(pid).map(LabRemoval::name).orElse("process") + " (pid " + pid + ")")
                .toList();
    }

    /** "nmbd" for /usr/sbin/nmbd; "quietbridge" for a JVM that runs it. */
    private static String name(ProcessHandle process) {
        ProcessHandle.Info info = process.info();
        String[] arguments = info.arguments().orElse(new String[0]);
        if (Arrays.stream(arguments)
                .anyMatch(arg -> arg.equals(Installation.MAIN_CLASS) || arg.endsWith("quietbridge.jar"))) {
            return "quietbridge";
        }
        return info.command().map(command -> Path.of(command).getFileName().toString()).orElse("process");
    }
}
