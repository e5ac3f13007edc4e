package org.quietbridge.bridge.sys;

import static org.quietbridge.bridge.sys.LinuxConstants.AF_UNIX;
import static org.quietbridge.bridge.sys.LinuxConstants.SOCK_CLOEXEC;
import static org.quietbridge.bridge.sys.LinuxConstants.SOCK_DGRAM;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Tells systemd about the service's state (sd_notify(3)): one datagram to the AF_UNIX socket
 * named by {@code $NOTIFY_SOCKET}, for example {@code READY=1} once every port forwards, so a
 * {@code Type=notify} unit is "started" only when the bridge really bridges.
 *
 * <p>A path beginning with '@' is in the abstract namespace (its first byte becomes NUL).
 * JDK channels cannot send unix datagrams, hence the syscalls here.
 */
public final class SystemdNotifier {
    /** {@code struct sockaddr_un} (linux/un.h): sa_family_t sun_family; char sun_path[108]. */
    private static final int SUN_PATH_OFFSET = 2;
    private static final int SUN_PATH_MAX = 108;

    private SystemdNotifier() {
    }

    /**
     * Sends {@code state} (for example {@code "READY=1"}) to {@code $NOTIFY_SOCKET}.
     *
     * @return false when NOTIFY_SOCKET is not set (not run by systemd): nothing to do
     * @throws NativeException when the socket exists but the send fails
     */
    public static boolean notify(String state) throws NativeException {
        String socketPath = System.getenv("NOTIFY_SOCKET");
        if (socketPath == null || socketPath.isEmpty()) {
            return false;
        }
        notify(socketPath, state);
        return true;
    }

    /** Sends {@code state} to the notification socket at {@code socketPath}. */
    public static void notify(String socketPath, String state) throws NativeException {
        try (Channel channel = new Channel(socketPath, state)) {
            channel.send();
        }
    }

    /**
     * A socket to {@code $NOTIFY_SOCKET} with one message prepared, for the data plane to send over and
     * over ({@code WATCHDOG=1}) without allocating. Owned by one thread at a time.
     */
    public static final class Channel implements AutoCloseable {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment callState = LinuxSyscalls.allocateCallState(arena);
        private final MemorySegment address;
        private final int addressLength;
        private final MemorySegment message;
        private final String described;
        private final int fd;
        private boolean closed;

        public Channel(String socketPath, String state) throws NativeException {
            byte[] path = socketPath.getBytes(StandardCharsets.UTF_8);
            if (path.length == 0 || path.length >= SUN_PATH_MAX) {
                arena.close();
                throw new NativeException("sendto", "NOTIFY_SOCKET=" + socketPath + " (path length " + path.length
                        + ")", Errno.EINVAL);
            }
            boolean isAbstract = path[0] == '@';
            if (isAbstract) {
                path[0] = 0;
            }
            this.described = "NOTIFY_SOCKET=" + socketPath + ", " + state;
            this.address = arena.allocate(SUN_PATH_OFFSET + SUN_PATH_MAX);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(path, 0, address, ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET, path.length);
            // Abstract names are exactly as long as given; filesystem paths end at their NUL.
            this.addressLength = SUN_PATH_OFFSET + path.length + (isAbstract ? 0 : 1);
            byte[] bytes = state.getBytes(StandardCharsets.UTF_8);
            this.message = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, message, ValueLayout.JAVA_BYTE, 0, bytes.length);
            int socket;
            try {
                socket = LinuxSyscalls.socket(callState, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            } catch (NativeException e) {
                arena.close();
                throw e;
            }
            this.fd = socket;
        }

        /** One datagram; allocates nothing unless it throws. */
        public void send() throws NativeException {
            long sent = LinuxSyscalls.sendto(callState, fd, message, message.byteSize(), 0, address, addressLength);
            if (sent < 0) {
                throw new NativeException("sendto", described, (int) -sent);
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                LinuxSyscalls.close(callState, fd);
            } catch (NativeException ignored) {
                // The descriptor is released either way.
            } finally {
                arena.close();
            }
        }
    }
}
