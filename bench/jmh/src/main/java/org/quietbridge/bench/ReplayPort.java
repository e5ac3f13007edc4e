package org.quietbridge.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.quietbridge.bridge.port.FramePort;
import org.quietbridge.bridge.port.Offload;
import org.quietbridge.bridge.port.RxFrame;

/**
 * A port for benchmarks: it receives one prepared frame over and over, in place (as a ring slot is,
 * without a copy in), and transmits by copying each frame into the next of its TX slots (as into a
 * ring slot), so a benchmark measures the forwarding logic and the one copy it makes, not a kernel.
 * Frames are never sent anywhere. Not thread-safe; allocates nothing after construction.
 */
final class ReplayPort implements FramePort {
    private static final int TX_SLOTS = 512;

    private final String name;
    private final int mtu;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment[] txSlots = new MemorySegment[TX_SLOTS];
    private MemorySegment frame = MemorySegment.NULL;
    private int length;
    private Offload offload = Offload.NONE;
    /** Frames receive still presents; -1: without end. */
    private long remaining;
    private int txHead;
    private long transmitted;

    ReplayPort(String name, int mtu, int txSlotBytes) {
        this.name = name;
        this.mtu = mtu;
        for (int i = 0; i < TX_SLOTS; i++) {
            txSlots[i] = arena.allocate(txSlotBytes, 64);
        }
    }

    /** From now on receive presents {@code bytes} {@code times} times (-1: without end). */
    void replay(byte[] bytes, Offload state, long times) {
        frame = arena.allocate(bytes.length, 64);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, frame, 0, bytes.length);
        length = bytes.length;
        offload = state;
        remaining = times;
    }

    long transmitted() {
        return transmitted;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int maxFrameLength() {
        return mtu + 18;
    }

    @Override
    public boolean carriesOffloads() {
        return true;
    }

    @Override
    public boolean receive(RxFrame rx) {
        if (remaining == 0) {
            return false;
        }
        if (remaining > 0) {
            remaining--;
        }
        rx.set(frame, 0, length, length, 0, 0, offload.needsChecksum());
        rx.offload().copyOf(offload);
        return true;
    }

    @Override
    public void release() {
    }

    @Override
    public int transmit(MemorySegment src, long offset, int frameLength, int tpid, int tci, Offload state) {
        MemorySegment slot = txSlots[txHead];
        if (frameLength > slot.byteSize()) {
            return TX_TOO_BIG;
        }
        MemorySegment.copy(src, offset, slot, 0, frameLength);
        if (++txHead == TX_SLOTS) {
            txHead = 0;
        }
        transmitted++;
        return TX_OK;
    }

    @Override
    public MemorySegment lastTxFrame() {
        return txSlots[txHead == 0 ? TX_SLOTS - 1 : txHead - 1];
    }

    @Override
    public void flush() {
    }

    @Override
    public boolean awaitReadable(int timeoutMillis) {
        return remaining != 0;
    }

    @Override
    public void collectRingStatistics() {
    }

    @Override
    public long rxRingDrops() {
        return 0;
    }

    @Override
    public long rxRingFreezes() {
        return 0;
    }

    @Override
    public void close() {
        arena.close();
    }
}
