package org.quietbridge.cli.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.quietbridge.lab.Lab;
import org.quietbridge.lab.LabException;

/**
 * The files that go with a lab of one prefix: {@code /run/quietbridge/lab-<prefix>/}, beside the
 * bridge's port locks. Under {@code /run}, like the namespaces themselves ({@code /run/netns}),
 * so a reboot removes both together.
 *
 * <ul>
 *   <li>{@code samba/smb.conf}: an {@code nmbd} for the core host that serves the NetBIOS name
 *       {@value #NETBIOS_NAME} on {@code eth0} only, and keeps all its state, locks, caches and
 *       logs in {@code samba/}: nothing of the machine's own Samba is read or written.</li>
 *   <li>{@code lab.yaml}: the bridge configuration, when there is no {@code examples/lab.yaml}
 *       to point to (quietbridge runs from outside a checkout).</li>
 * </ul>
 *
 * @param path the folder
 */
public record LabFolder(Path path) {
    /** The NetBIOS name of the core host's nmbd. */
    public static final String NETBIOS_NAME = "QBCORE";
    public static final String NETBIOS_WORKGROUP = "QBLAB";
    private static final Path BASE = Path.of("/run/quietbridge");
    /** The folders smb.conf points nmbd at, instead of /var/lib/samba, /var/cache/samba, /run/samba... */
    private static final List<String> SAMBA_FOLDERS = List.of("state", "lock", "cache", "private", "pid", "ncalrpc",
            "nmbd", "log");

    /** The folder of the lab {@code prefix}; the prefix must be a valid lab prefix (it becomes a file name). */
    public static LabFolder of(String prefix) {
        if (!prefix.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("not a lab prefix: " + prefix);
        }
        return new LabFolder(BASE.resolve("lab-" + prefix));
    }

    public boolean exists() {
        return Files.isDirectory(path);
    }

    /** The file {@code name} in this folder (it need not exist). */
    public Path file(String name) {
        return path.resolve(name);
    }

    /**
     * The folder for nmbd's {@code -l}: without it nmbd makes {@code /var/log/samba/cores} for core
     * dumps before it reads smb.conf's {@code log file}.
     */
    public Path sambaLogFolder() {
        return sambaLogFolder("samba");
    }

    /** {@link #sambaLogFolder()} of the nmbd whose files are in {@code subfolder}. */
    public Path sambaLogFolder(String subfolder) {
        return path.resolve(subfolder).resolve("log");
    }

    /**
     * Writes {@code samba/smb.conf} and the folders it names.
     *
     * @return the smb.conf, for {@code nmbd -s} and {@code nmblookup -s}
     */
    public Path writeSambaConfig() {
        return writeSambaConfig("samba", NETBIOS_NAME);
    }

    /**
     * Writes {@code <subfolder>/smb.conf} for an nmbd that serves {@code netbiosName}, and the folders it
     * names: one per host when several nmbd run in one lab.
     *
     * @return the smb.conf
     */
    public Path writeSambaConfig(String subfolder, String netbiosName) {
        Path samba = path.resolve(subfolder);
        try {
            for (String folder : SAMBA_FOLDERS) {
                Files.createDirectories(samba.resolve(folder));
            }
            return Files.writeString(samba.resolve("smb.conf"), sambaConfig(samba, netbiosName));
        } catch (IOException e) {
            throw new LabException("cannot write the lab's Samba configuration under " + samba + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code lab.yaml}, the bridge configuration for the lab's two ports, and returns it. */
    public Path writeBridgeConfig() {
        try {
            Files.createDirectories(path);
            return Files.writeString(path.resolve("lab.yaml"), "# quietbridge between the lab's two ports;"
                    + " the default NetBIOS rules apply.\nports: [" + Lab.AP_PORT + ", " + Lab.CORE_PORT + "]\n");
        } catch (IOException e) {
            throw new LabException("cannot write " + path.resolve("lab.yaml") + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the folder and everything in it.
     *
     * @return whether there was anything to delete
     */
    public boolean delete() {
        if (!Files.exists(path)) {
            return false;
        }
        try (Stream<Path> tree = Files.walk(path)) {
            for (Path file : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
            return true;
        } catch (IOException | UncheckedIOException e) {
            throw new LabException("cannot delete " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * smb.conf(5) for one nmbd in a lab namespace. {@code bind interfaces only} with
     * {@code interfaces = eth0} keeps it to the lab's segment (it also binds
     * 10.77.0.255:137, where broadcast queries arrive); every path option points into
     * {@code samba}. The browser options stay at their defaults: nmbd then also holds browser
     * elections and announces itself by broadcast, as a Windows host on a campus segment does,
     * and that is part of the noise quietbridge removes.
     */
    static String sambaConfig(Path samba, String netbiosName) {
        return """
                # nmbd for quietbridge's namespace lab (written by quietbridge lab): serves the
                # NetBIOS name %1$s on eth0 of its namespace. Everything it writes stays
                # in %2$s.
                [global]
                   netbios name = %1$s
                   workgroup = %3$s
                   server role = standalone server
                   interfaces = eth0
                   bind interfaces only = yes
                   disable netbios = no
                   state directory = %2$s/state
                   lock directory = %2$s/lock
                   cache directory = %2$s/cache
                   private dir = %2$s/private
                   pid directory = %2$s/pid
                   ncalrpc dir = %2$s/ncalrpc
                   # the socket of "unexpected" packets, /run/samba/nmbd by default
                   nmbd:socket dir = %2$s/nmbd
                   log file = %2$s/log/log.%%m
                   log level = 1
                """.formatted(netbiosName, samba, NETBIOS_WORKGROUP);
    }
}
