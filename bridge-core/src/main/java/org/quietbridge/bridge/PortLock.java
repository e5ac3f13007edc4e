package org.quietbridge.bridge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a second bridge off a port this one owns. Two bridges on one interface would each
 * forward the other's frames: every frame twice, and loops.
 *
 * <p>The lock is an fcntl lock on {@code /run/quietbridge/<netns>-<ifname>.lock}, holding the
 * owner's PID. The kernel drops it when the process dies, so a crash leaves nothing stale. The
 * network namespace is part of the name because "eth1" in two namespaces is two interfaces.
 */
final class PortLock implements AutoCloseable {
    static final Path DEFAULT_DIRECTORY = Path.of("/run/quietbridge");

    private final FileChannel channel;
    private final FileLock lock;
    private final Path file;

    private PortLock(FileChannel channel, FileLock lock, Path file) {
        this.channel = channel;
        this.lock = lock;
        this.file = file;
    }

    static PortLock acquire(Path directory, String ifname) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.resolve(networkNamespace() + "-" + ifname + ".lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                String owner = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim();
                throw new IOException(ifname + " is already bridged by another quietbridge"
                        + (owner.isEmpty() ? "" : " (pid " + owner + ")") + "; stop it first");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                    0);
            return new PortLock(channel, lock, file);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The inode of this process's network namespace, e.g. "net4026532281". */
    static String networkNamespace() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(); // net:[4026531840]
            return "net" + target.replaceAll("[^0-9]", "");
        } catch (IOException | UnsupportedOperationException e) {
            return "net";
        }
    }

    Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            try {
                channel.truncate(0);
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
