package org.quietbridge.bridge.port;

import java.io.IOException;

/**
 * The reading side of a port's RX ring: frames in place, one at a time, each handed back to the kernel
 * by {@link #release}. {@link SlotRxRing} walks a TPACKET_V2 ring, {@link BlockRxRing} a TPACKET_V3 one.
 * Owned by the port's one thread; allocates nothing.
 */
sealed interface RxRing permits SlotRxRing, BlockRxRing {
    /** See {@link FramePort#receive}. */
    boolean receive(RxFrame rx) throws IOException;

    /** See {@link FramePort#release}. */
    void release();

    /** Whether {@link #receive} would now return a frame (the held one, if any, released first). */
    boolean ready();

    /** Frames skipped because they were leaving through this interface (user-space filter only). */
    long outgoingFiltered();
}
