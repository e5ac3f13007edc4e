package org.quietbridge.bridge.sys;

import java.io.IOException;
import java.io.Serial;

/**
 * A system call failed. The message names the call, its arguments and the errno, for example
 * {@code setsockopt(fd=7, SOL_PACKET, PACKET_RX_RING): EINVAL (22, Invalid argument)}.
 */
public final class NativeException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String syscall;
    private final String arguments;
    private final int errno;

    /**
     * @param syscall   the C function, e.g. {@code "setsockopt"}
     * @param arguments its arguments as a reader wants them, e.g. {@code "fd=7, SOL_PACKET, PACKET_RX_RING"}
     * @param errno     the errno the call left
     */
    public NativeException(String syscall, String arguments, int errno) {
        super(syscall + "(" + arguments + "): " + Errno.name(errno) + " (" + errno + ", "
                + Errno.description(errno) + ")");
        this.syscall = syscall;
        this.arguments = arguments;
        this.errno = errno;
    }

    public String syscall() {
        return syscall;
    }

    public String arguments() {
        return arguments;
    }

    public int errno() {
        return errno;
    }

    /** The symbolic errno name, e.g. {@code "EINVAL"}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
