package org.quietbridge.bridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.quietbridge.bridge.sys.AbstractSocketLock;

/**
 * Keeps a second bridge off a port this one owns. Two bridges on one interface would each
 * forward the other's frames: every frame twice, and loops.
 *
 * <p>The lock is the abstract unix-socket name {@code @quietbridge/port/<ifname>}
 * ({@link AbstractSocketLock}): one per network namespace, as interface names are, freed by
 * the kernel when the bridge exits or crashes, and nothing left on disk.
 */
final class PortLock implements AutoCloseable {
    static final String PREFIX = "quietbridge/port/";

    private final AbstractSocketLock lock;

    private PortLock(AbstractSocketLock lock) {
        this.lock = lock;
    }

    static PortLock acquire(String ifname) throws IOException {
        AbstractSocketLock lock = AbstractSocketLock.tryAcquire(PREFIX + ifname);
        if (lock == null) {
            String owner = owner(PREFIX + ifname);
            throw new IOException(ifname + " is already bridged by another quietbridge"
                    + (owner.isEmpty() ? "" : " (pid " + owner + ")") + "; stop it first");
        }
        return new PortLock(lock);
    }

    /**
     * The PID holding an abstract socket name, for the error message: the socket's inode from
     * /proc/net/unix, then the process with a descriptor on it. Empty when it cannot be told.
     */
    private static String owner(String name) {
        try {
            String inode = null;
            for (String line : Files.readAllLines(Path.of("/proc/net/unix"), StandardCharsets.UTF_8)) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 8 && f[7].equals("@" + name)) {
                    inode = f[6];
                }
            }
            if (inode == null) {
                return "";
            }
            String target = "socket:[" + inode + "]";
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path proc : (Iterable<Path>) procs::iterator) {
                    String pid = proc.getFileName().toString();
                    if (!pid.chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    List<Path> fds;
                    try (var s = Files.list(proc.resolve("fd"))) {
                        fds = s.toList();
                    } catch (IOException e) {
                        continue;
                    }
                    for (Path fd : fds) {
                        try {
                            if (Files.readSymbolicLink(fd).toString().equals(target)) {
                                return pid;
                            }
                        } catch (IOException e) {
                            // the descriptor closed while we looked
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
        return "";
    }

    @Override
    public void close() throws IOException {
        lock.close();
    }
}
