package org.quietbridge.bridge.port;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

import org.quietbridge.bridge.agent.IdleStrategy;
import org.quietbridge.bridge.sys.LinuxSyscalls;
import org.quietbridge.bridge.sys.NativeException;
import org.quietbridge.bridge.sys.Pollfd;

/**
 * Idles by blocking in one poll(2) on every port's socket, so the data-plane thread sleeps
 * until any port has a frame. A packet socket with an RX ring is readable while a slot waits
 * for user space. The timeout bounds how late control commands, rule swaps and FDB aging run
 * on a silent wire.
 */
public final class PollIdleStrategy implements IdleStrategy, AutoCloseable {
    /** Upper bound of one sleep, unless the caller asks for less. */
    public static final int TIMEOUT_MILLIS = 50;
    /** Empty rounds spun through before blocking, so a busy wire never pays a syscall per round. */
    private static final int SPINS_BEFORE_POLL = 50;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment callState;
    private final MemorySegment fds;
    private final int count;
    private final int timeoutMillis;
    private int idleRounds;

    public PollIdleStrategy(PacketRingPort... ports) {
        this(TIMEOUT_MILLIS, ports);
    }

    /**
     * Sleeps at most {@code timeoutMillis} at a time: the kernel stand-in's gate must be held more often
     * than it expires, even on a silent wire.
     */
    public PollIdleStrategy(int timeoutMillis, PacketRingPort... ports) {
        if (timeoutMillis < 1) {
            throw new IllegalArgumentException("poll timeout " + timeoutMillis + " ms");
        }
        this.timeoutMillis = timeoutMillis;
        this.count = ports.length;
        this.callState = LinuxSyscalls.allocateCallState(arena);
        this.fds = arena.allocate(Pollfd.LAYOUT, count);
        for (int i = 0; i < count; i++) {
            long at = i * Pollfd.LAYOUT.byteSize();
            Pollfd.FD.set(fds, at, ports[i].fd());
            Pollfd.EVENTS.set(fds, at, Pollfd.POLLIN);
        }
    }

    /**
     * Waits on {@code port} for port {@code index} from now on; null for a port that is gone (its entry
     * gets -1, which poll(2) skips). Data-plane thread only, like {@link #idle}.
     */
    public void replace(int index, PacketRingPort port) {
        Objects.checkIndex(index, count);
        Pollfd.FD.set(fds, index * Pollfd.LAYOUT.byteSize(), port == null ? -1 : port.fd());
    }

    @Override
    public void idle(int workCount) throws NativeException {
        if (workCount > 0) {
            idleRounds = 0;
            return;
        }
        if (++idleRounds < SPINS_BEFORE_POLL) {
            Thread.onSpinWait();
            return;
        }
        for (int i = 0; i < count; i++) {
            Pollfd.REVENTS.set(fds, i * Pollfd.LAYOUT.byteSize(), (short) 0);
        }
        if (LinuxSyscalls.poll(callState, fds, count, timeoutMillis) > 0) {
            readPendingErrors();
        }
    }

    /**
     * A packet socket reports a link-down through sk_err, and poll(2) returns POLLERR at once
     * for as long as nobody reads it: left there, "block" would turn into a busy loop from the
     * moment a port went down until the next frame is sent through it. Reading SO_ERROR clears
     * it; it is then reported like any other data-plane error. Allocates only on that error path.
     */
    private void readPendingErrors() throws NativeException {
        for (int i = 0; i < count; i++) {
            long at = i * Pollfd.LAYOUT.byteSize();
            if (((short) Pollfd.REVENTS.get(fds, at) & Pollfd.POLLERR) != 0) {
                int fd = (int) Pollfd.FD.get(fds, at);
                NativeException error = LinuxSyscalls.pendingSocketError(callState, fd, "poll", "fd=" + fd + ", POLLERR");
                if (error != null) {
                    throw error;
                }
            }
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
