package org.quietbridge.bridge.port;

import java.lang.foreign.MemorySegment;

/**
 * A port whose interface is gone (deleted; a driver reload, a NIC re-plug, a VM's NIC re-created): it
 * stands in the data plane's port table until an interface of its name comes back and a new
 * {@link PacketRingPort} takes its place. It receives nothing, and refuses every frame with
 * {@link #TX_PORT_GONE}, which the data plane counts. Its MTU and largest frame are those of the port it
 * replaces, so the data plane's decisions stay as they were. Allocates nothing.
 */
public final class AbsentPort implements FramePort {
    private final String name;
    private final int mtu;
    private final int maxFrameLength;

    public AbsentPort(String name, int mtu, int maxFrameLength) {
        this.name = name;
        this.mtu = mtu;
        this.maxFrameLength = maxFrameLength;
    }

    /** Stands in for {@code gone}. */
    public static AbsentPort of(FramePort gone) {
        return new AbsentPort(gone.name(), gone.mtu(), gone.maxFrameLength());
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
        return maxFrameLength;
    }

    @Override
    public boolean carriesOffloads() {
        return false;
    }

    @Override
    public boolean receive(RxFrame rx) {
        return false;
    }

    @Override
    public void release() {
    }

    @Override
    public int transmit(MemorySegment src, long offset, int length, int tpid, int tci, Offload offload) {
        return TX_PORT_GONE;
    }

    /** Never called after a {@link #TX_PORT_GONE}; there is nothing to patch. */
    @Override
    public MemorySegment lastTxFrame() {
        throw new IllegalStateException("port " + name + " is gone: nothing was transmitted");
    }

    @Override
    public void flush() {
    }

    @Override
    public boolean awaitReadable(int timeoutMillis) {
        return false;
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
    }

    @Override
    public String toString() {
        return "AbsentPort{" + name + "}";
    }
}
