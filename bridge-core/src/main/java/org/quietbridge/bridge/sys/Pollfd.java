package org.quietbridge.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct pollfd}, from include/uapi/asm-generic/poll.h:
 * <pre>
 * struct pollfd {
 *     int   fd;       // 0
 *     short events;   // 4
 *     short revents;  // 6
 * };                  // 8 bytes
 * </pre>
 */
public final class Pollfd {
    // include/uapi/asm-generic/poll.h
    public static final short POLLIN = 0x0001;
    public static final short POLLOUT = 0x0004;
    public static final short POLLERR = 0x0008;
    public static final short POLLHUP = 0x0010;
    public static final short POLLNVAL = 0x0020;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents"))
            .withName("pollfd");

    /** (MemorySegment, long base) -> int. */
    public static final VarHandle FD = LAYOUT.varHandle(groupElement("fd"));
    /** (MemorySegment, long base) -> short. */
    public static final VarHandle EVENTS = LAYOUT.varHandle(groupElement("events"));
    /** (MemorySegment, long base) -> short. */
    public static final VarHandle REVENTS = LAYOUT.varHandle(groupElement("revents"));

    private Pollfd() {
    }
}
