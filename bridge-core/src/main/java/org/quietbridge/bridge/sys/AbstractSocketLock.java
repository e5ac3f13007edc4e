package org.quietbridge.bridge.sys;

import static org.quietbridge.bridge.sys.LinuxConstants.AF_UNIX;
import static org.quietbridge.bridge.sys.LinuxConstants.SOCK_CLOEXEC;
import static org.quietbridge.bridge.sys.LinuxConstants.SOCK_DGRAM;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A lock that is a name in the abstract unix-socket namespace (unix(7)): binding a socket to
 * it succeeds for one process only, and the kernel frees the name when the socket closes or
 * the process dies. That namespace belongs to the network namespace, which is exactly the
 * scope of an interface name, and it leaves no file behind.
 */
public final class AbstractSocketLock implements AutoCloseable {
    private static final int SUN_PATH_MAX = 108;

    private final String name;
    private int fd;

    private AbstractSocketLock(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /**
     * Takes the lock {@code name}.
     *
     * @return the lock, or null when another socket holds the name
     * @throws NativeException when the socket cannot be made for another reason
     */
    public static AbstractSocketLock tryAcquire(String name) throws NativeException {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length >= SUN_PATH_MAX) {
            throw new IllegalArgumentException("lock name must be 1 to 107 bytes: " + name);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment callState = LinuxSyscalls.allocateCallState(arena);
            // struct sockaddr_un: sun_family, then a NUL (abstract) and the name, no terminator.
            MemorySegment address = arena.allocate(2 + 1 + bytes.length);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(bytes, 0, address, ValueLayout.JAVA_BYTE, 3, bytes.length);
            int fd = LinuxSyscalls.socket(callState, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            try {
                LinuxSyscalls.bind(callState, fd, address, "sockaddr_un{@" + name + "}");
                return new AbstractSocketLock(name, fd);
            } catch (NativeException e) {
                LinuxSyscalls.close(callState, fd);
                if (e.errno() == Errno.EADDRINUSE) {
                    return null;
                }
                throw e;
            }
        }
    }

    public String name() {
        return name;
    }

    /** Releases the name. Idempotent. */
    @Override
    public synchronized void close() throws NativeException {
        if (fd < 0) {
            return;
        }
        int f = fd;
        fd = -1;
        try (Arena arena = Arena.ofConfined()) {
            LinuxSyscalls.close(LinuxSyscalls.allocateCallState(arena), f);
        }
    }
}
