package org.quietbridge.bridge.port;

import static org.quietbridge.bridge.sys.LinuxConstants.ETH_HLEN;
import static org.quietbridge.bridge.sys.LinuxConstants.VLAN_HLEN;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.quietbridge.bridge.sys.VirtioNetHdr;

/**
 * A port in memory. It is the synthetic side of the start's warm-up ({@code WarmUp}, docs/ARCHITECTURE.md,
 * "Starting warm"), and the port of tests without root or interfaces. Tests put frames into its RX queue with
 * {@link #inject} (as the kernel would present them: outer tag stripped and reported beside the
 * frame) and read what the port was asked to send with {@link #takeTransmitted()}; a transmitted
 * frame becomes visible only when {@link #flush()} sends its batch.
 *
 * <p>It follows {@link PacketRingPort}'s rules: the same maximum frame length and size verdicts,
 * RX frames at a non-zero {@link #RX_FRAME_OFFSET} in their slot (so code that ignores
 * {@link RxFrame#offset()} fails here too), a bounded TX queue whose slots free up at flush.
 *
 * <p>Slots are preallocated: {@link #receive}, {@link #release}, {@link #transmit}, {@link #txFree}
 * and, when {@link #retainTransmitted(boolean) retaining} is off, {@link #flush} allocate nothing, so
 * allocation tests can run a forwarding agent over it. Not thread-safe, like every port.
 */
public final class MemoryPort implements FramePort {
    /** Where a frame starts in an RX slot: where a TPACKET_V2 ring puts a frame with a 14-byte MAC header. */
    public static final int RX_FRAME_OFFSET = RingGeometry.RX_HEADROOM - ETH_HLEN;
    public static final int DEFAULT_SLOTS = 256;

    private final String name;
    private final int mtu;
    private final int maxFrameLength;
    private final boolean carriesOffloads;
    private final int maxSuperFrameLength;
    private final int rxCapacity;
    private final Arena arena = Arena.ofShared();

    private final MemorySegment[] rxSlots;
    private final int[] rxLength;
    private final int[] rxWireLength;
    private final int[] rxTpid;
    private final int[] rxTci;
    private final boolean[] rxCsumNotReady;
    private final Offload[] rxOffload;
    private final long[] rxTimestamp;
    private int rxHead;
    private int rxQueued;
    private boolean rxHeld;

    private final MemorySegment[] txSlots;
    private final int[] txLength;
    private final Offload[] txOffload;
    private final MemorySegment txHeader = arena.allocate(VirtioNetHdr.SIZE);
    private int txHead;
    private int txPending;
    private int lastTxIndex = -1;
    private boolean retainTransmitted = true;
    private final List<byte[]> transmitted = new ArrayList<>();
    private final List<String> transmittedOffloads = new ArrayList<>();
    private long ringDropsPending;
    private long ringDrops;
    private long transmittedFrames;
    private long kicks;
    private boolean closed;

    /** A port with {@link #DEFAULT_SLOTS} RX and TX slots, without virtio-net headers. */
    public MemoryPort(String name, int mtu) {
        this(name, mtu, DEFAULT_SLOTS, DEFAULT_SLOTS);
    }

    /** Without virtio-net headers. */
    public MemoryPort(String name, int mtu, int rxSlotCount, int txSlotCount) {
        this(name, mtu, rxSlotCount, txSlotCount, false);
    }

    /**
     * {@code carriesOffloads}: like a {@link PacketRingPort} with virtio-net headers, its slots hold
     * super-frames ({@link RingGeometry#MAX_SUPER_FRAME}), RX frames come with the {@link Offload} given to
     * {@link #inject(MemorySegment, long, int, int, int, int, boolean, Offload)}, and each transmitted
     * frame's offload is recorded ({@link #takeTransmittedOffloads()}).
     */
    public MemoryPort(String name, int mtu, int rxSlotCount, int txSlotCount, boolean carriesOffloads) {
        this.name = Objects.requireNonNull(name, "name");
        if (mtu <= 0 || rxSlotCount <= 0 || txSlotCount <= 0) {
            throw new IllegalArgumentException("mtu and slot counts must be positive");
        }
        this.mtu = mtu;
        this.maxFrameLength = mtu + ETH_HLEN + VLAN_HLEN;
        this.carriesOffloads = carriesOffloads;
        this.maxSuperFrameLength = carriesOffloads ? RingGeometry.MAX_SUPER_FRAME + VLAN_HLEN : maxFrameLength;
        this.rxCapacity = carriesOffloads ? RingGeometry.MAX_SUPER_FRAME : mtu + ETH_HLEN + 2 * VLAN_HLEN;
        this.rxSlots = new MemorySegment[rxSlotCount];
        this.rxLength = new int[rxSlotCount];
        this.rxWireLength = new int[rxSlotCount];
        this.rxTpid = new int[rxSlotCount];
        this.rxTci = new int[rxSlotCount];
        this.rxCsumNotReady = new boolean[rxSlotCount];
        this.rxOffload = new Offload[rxSlotCount];
        this.rxTimestamp = new long[rxSlotCount];
        for (int i = 0; i < rxSlotCount; i++) {
            rxSlots[i] = arena.allocate(RX_FRAME_OFFSET + rxCapacity, 16);
            rxOffload[i] = new Offload();
        }
        this.txSlots = new MemorySegment[txSlotCount];
        this.txLength = new int[txSlotCount];
        this.txOffload = new Offload[txSlotCount];
        for (int i = 0; i < txSlotCount; i++) {
            txSlots[i] = arena.allocate(maxSuperFrameLength, 16);
            txOffload[i] = new Offload();
        }
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
        return carriesOffloads;
    }

    // ---- test side: RX injection --------------------------------------------------------------

    /** Queues an untagged frame; false if the RX queue is full (the kernel would drop it). */
    public boolean inject(byte[] frame) {
        return inject(frame, 0, 0);
    }

    /** Queues a frame whose outer tag ({@code vlanTpid}, {@code vlanTci}) the kernel stripped; tpid 0: none. */
    public boolean inject(byte[] frame, int vlanTpid, int vlanTci) {
        return inject(MemorySegment.ofArray(frame), 0, frame.length, frame.length, vlanTpid, vlanTci, false);
    }

    /**
     * Queues {@code length} bytes of {@code frame} as one received frame. {@code wireLength} greater
     * than {@code length} makes a truncated frame; {@code csumNotReady} marks a frame whose checksum
     * an offloading sender left open. Allocates nothing. Returns false if the RX queue is full.
     */
    public boolean inject(MemorySegment frame, long offset, int length, int wireLength, int vlanTpid, int vlanTci,
                          boolean csumNotReady) {
        return inject(frame, offset, length, wireLength, vlanTpid, vlanTci, csumNotReady, Offload.NONE);
    }

    /**
     * As {@link #inject(MemorySegment, long, int, int, int, int, boolean)}, with the offload state a
     * virtio-net header would report (a super-frame, a partial checksum). Allocates nothing.
     */
    public boolean inject(MemorySegment frame, long offset, int length, int wireLength, int vlanTpid, int vlanTci,
                          boolean csumNotReady, Offload offload) {
        return inject(frame, offset, length, wireLength, vlanTpid, vlanTci, csumNotReady, offload, Long.MAX_VALUE);
    }

    /**
     * As {@link #inject(MemorySegment, long, int, int, int, int, boolean, Offload)}, stamped as received at
     * {@code timestampNanos} (wall clock, nanoseconds since the epoch), as a ring stamps each frame.
     */
    public boolean inject(MemorySegment frame, long offset, int length, int wireLength, int vlanTpid, int vlanTci,
                          boolean csumNotReady, Offload offload, long timestampNanos) {
        ensureOpen();
        if (length < 0 || length > rxCapacity || wireLength < length) {
            throw new IllegalArgumentException("frame length " + length + " (wire " + wireLength
                    + ") does not fit an RX slot of " + rxCapacity + " bytes on " + name);
        }
        if (rxQueued == rxSlots.length) {
            return false;
        }
        int index = (rxHead + rxQueued) % rxSlots.length;
        MemorySegment.copy(frame, offset, rxSlots[index], RX_FRAME_OFFSET, length);
        rxLength[index] = length;
        rxWireLength[index] = wireLength;
        rxTpid[index] = vlanTpid;
        rxTci[index] = vlanTci;
        rxCsumNotReady[index] = csumNotReady;
        rxOffload[index].copyOf(offload);
        rxTimestamp[index] = timestampNanos;
        rxQueued++;
        return true;
    }

    /** Frames waiting in the RX queue, a held frame included. */
    public int rxQueued() {
        return rxQueued;
    }

    // ---- test side: TX observation -------------------------------------------------------------

    /**
     * The frames flushed since the last call, in order, as they would be on the wire (tags
     * re-inserted), and forgets them.
     */
    public List<byte[]> takeTransmitted() {
        List<byte[]> frames = new ArrayList<>(transmitted);
        transmitted.clear();
        return frames;
    }

    /**
     * The virtio-net headers of the frames flushed since the last call, in order, as {@link Offload#toString()}
     * wrote them ("Offload{none}" for a frame with nothing to offload), and forgets them. Only a port that
     * carries offloads records them.
     */
    public List<String> takeTransmittedOffloads() {
        List<String> offloads = new ArrayList<>(transmittedOffloads);
        transmittedOffloads.clear();
        return offloads;
    }

    /** Makes the next {@link #collectRingStatistics()} report {@code frames} more kernel ring drops. */
    public void dropInRing(long frames) {
        ringDropsPending += frames;
    }

    /** Whether flush keeps copies for {@link #takeTransmitted()} (default) or only counts: then it allocates nothing. */
    public void retainTransmitted(boolean retain) {
        this.retainTransmitted = retain;
    }

    /** Frames sent by flush, in total. */
    public long transmittedFrames() {
        return transmittedFrames;
    }

    /** Flushes that had something to send (each one a {@code sendto} on a real port). */
    public long kicks() {
        return kicks;
    }

    /** Frames transmitted but not yet flushed. */
    public int txPending() {
        return txPending;
    }

    // ---- FramePort ---------------------------------------------------------------------------

    @Override
    public boolean receive(RxFrame rx) {
        ensureOpen();
        if (rxHeld) {
            release();
        }
        if (rxQueued == 0) {
            return false;
        }
        int index = rxHead;
        rx.set(rxSlots[index], RX_FRAME_OFFSET, rxLength[index], rxWireLength[index], rxTpid[index], rxTci[index],
                rxCsumNotReady[index]);
        rx.offload().copyOf(rxOffload[index]);
        rx.timestamp(rxTimestamp[index]);
        rxHeld = true;
        return true;
    }

    @Override
    public void release() {
        if (rxHeld) {
            rxHeld = false;
            rxQueued--;
            if (++rxHead == rxSlots.length) {
                rxHead = 0;
            }
        }
    }

    /** Free TX slots right now: they free up at {@link #flush}. */
    public int txFree() {
        return txSlots.length - txPending;
    }

    @Override
    public int transmit(MemorySegment src, long offset, int length, int tpid, int tci, Offload offload) {
        ensureOpen();
        boolean segmented = carriesOffloads && offload.gso();
        int verdict = TxFrameCopy.verdict(src, offset, length, tpid, segmented ? maxSuperFrameLength : maxFrameLength,
                mtu, segmented);
        if (verdict != TX_OK) {
            return verdict;
        }
        if (txPending == txSlots.length) {
            return TX_RING_FULL;
        }
        int index = (txHead + txPending) % txSlots.length;
        txLength[index] = TxFrameCopy.copy(src, offset, length, tpid, tci, txSlots[index], 0L);
        if (carriesOffloads) {
            // The virtio-net header a ring would send in front of the frame, read back as the kernel would.
            offload.writeTo(txHeader, 0L, txLength[index] - length, txLength[index]);
            txOffload[index].readFrom(txHeader, 0L);
        }
        lastTxIndex = index;
        txPending++;
        return TX_OK;
    }

    @Override
    public MemorySegment lastTxFrame() {
        if (lastTxIndex < 0) {
            throw new IllegalStateException("nothing transmitted on " + name);
        }
        return txSlots[lastTxIndex];
    }

    @Override
    public void flush() {
        ensureOpen();
        if (txPending == 0) {
            return;
        }
        kicks++;
        for (int i = 0; i < txPending; i++) {
            int index = (txHead + i) % txSlots.length;
            if (retainTransmitted) {
                transmitted.add(txSlots[index].asSlice(0, txLength[index]).toArray(ValueLayout.JAVA_BYTE));
                if (carriesOffloads) {
                    transmittedOffloads.add(txOffload[index].toString());
                }
            }
        }
        transmittedFrames += txPending;
        txHead = (txHead + txPending) % txSlots.length;
        txPending = 0;
    }

    /** Does not block: nothing can arrive while the owner thread waits. */
    @Override
    public boolean awaitReadable(int timeoutMillis) {
        ensureOpen();
        return rxQueued > (rxHeld ? 1 : 0);
    }

    @Override
    public void collectRingStatistics() {
        ensureOpen();
        ringDrops += ringDropsPending;
        ringDropsPending = 0;
    }

    @Override
    public long rxRingDrops() {
        return ringDrops;
    }

    @Override
    public long rxRingFreezes() {
        return 0;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("port " + name + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        arena.close();
    }

    @Override
    public String toString() {
        return "MemoryPort{" + name + ", mtu=" + mtu + "}";
    }
}
