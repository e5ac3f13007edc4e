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
        byte[] path = socketPath.getBytes(StandardCharsets.UTF_8);
        if (path.length == 0 || path.length >= SUN_PATH_MAX) {
            throw new NativeException("sendto", "NOTIFY_SOCKET=" + socketPath + " (path length " + path.length + ")",
                    Errno.EINVAL);
        }
        boolean isAbstract = path[0] == '@';
        if (isAbstract) {
            path[0] = 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment callState = LinuxSyscalls.allocateCallState(arena);
            MemorySegment address = arena.allocate(SUN_PATH_OFFSET + SUN_PATH_MAX);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(path, 0, address, ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET, path.length);
            // Abstract names are exactly as long as given; filesystem paths end at their NUL.
            int addressLength = SUN_PATH_OFFSET + path.length + (isAbstract ? 0 : 1);
            byte[] message = state.getBytes(StandardCharsets.UTF_8);
            MemorySegment buffer = arena.allocate(message.length);
            MemorySegment.copy(message, 0, buffer, ValueLayout.JAVA_BYTE, 0, message.length);
            int fd = LinuxSyscalls.socket(callState, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            try {
                long sent = LinuxSyscalls.sendto(callState, fd, buffer, message.length, 0, address, addressLength);
                if (sent < 0) {
                    throw new NativeException("sendto", "NOTIFY_SOCKET=" + socketPath + ", " + state, (int) -sent);
                }
            } finally {
                LinuxSyscalls.close(callState, fd);
            }
        }
    }
}
