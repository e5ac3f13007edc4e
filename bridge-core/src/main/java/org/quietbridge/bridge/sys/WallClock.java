package org.quietbridge.bridge.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.LongSupplier;

/**
 * CLOCK_REALTIME in nanoseconds, read with clock_gettime(2): the clock the kernel stamps ring frames
 * with ({@code tp_sec}/{@code tp_nsec}, ktime_get_real), to the nanosecond, and allocation-free.
 * {@link System#currentTimeMillis()} has a millisecond's resolution, and an offset taken once to
 * {@link System#nanoTime()} drifts as NTP slews the wall clock. One reader thread per instance.
 */
public final class WallClock implements LongSupplier {
    /** include/uapi/linux/time.h. */
    static final int CLOCK_REALTIME = 0;

    /** Freed with the clock: no close to race the data plane's last read. */
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment callState = LinuxSyscalls.allocateCallState(arena);
    private final MemorySegment timespec = arena.allocate(16, 8);

    /** Nanoseconds since the epoch. */
    @Override
    public long getAsLong() {
        try {
            return LinuxSyscalls.clockGettime(callState, CLOCK_REALTIME, timespec);
        } catch (NativeException e) {
            throw new IllegalStateException(e.getMessage(), e); // CLOCK_REALTIME always exists
        }
    }
}
