package org.quietbridge.bridge.port;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * One bridge port as the forwarding agent sees it: a receive queue of frames that stay in place
 * (zero copy) and a transmit queue that is filled frame by frame and kicked once per batch.
 *
 * <p>A port has one owner thread, the agent that drives it; it is not thread-safe. The data-path
 * methods ({@link #receive}, {@link #release}, {@link #transmit}, {@link #flush}) allocate nothing. After
 * {@link #close} they throw {@link IllegalStateException}.
 *
 * <p>The duty cycle of {@code BridgeAgent.doWork} (docs/ARCHITECTURE.md, "One frame's path"): up to a batch
 * of frames per port, each transmitted to its egress ports and then released, and one flush per port
 * that got frames:
 * <pre>{@code
 * for (int i = 0; i < batch && in.receive(rx); i++) {
 *     int verdict = out.transmit(rx.segment(), rx.offset(), rx.length(), rx.vlanTpid(), rx.vlanTci(), rx.offload());
 *     // TX_RING_FULL, TX_TOO_BIG, TX_TOO_SHORT, TX_PORT_GONE: counted as a drop of that reason
 *     in.release();
 * }
 * out.flush();
 * }</pre>
 * A full TX ring is learnt from {@link #transmit}'s verdict, not asked for beforehand: the kernel frees
 * slots while the loop runs.
 */
public interface FramePort extends AutoCloseable {
    /** The frame is in the TX queue; it leaves at the next {@link #flush}. */
    int TX_OK = 0;
    /** No free TX slot; nothing was written. Flush, then retry or count a drop. */
    int TX_RING_FULL = 1;
    /**
     * The frame (with its re-inserted tag) is longer than {@link #maxFrameLength()}, or longer than
     * MTU + 14 without an 802.1Q tag outermost (the kernel allows the extra 4 bytes only for
     * 0x8100; net/packet/af_packet.c packet_extra_vlan_len_allowed). Nothing was written; the frame
     * is never truncated.
     */
    int TX_TOO_BIG = 2;
    /** The frame is shorter than an Ethernet header (14 bytes); nothing was written. */
    int TX_TOO_SHORT = 3;
    /** The port's interface is gone ({@link AbsentPort}); nothing was written. */
    int TX_PORT_GONE = 4;

    String name();

    /** Egress MTU (L3 MTU as reported by SIOCGIFMTU). */
    int mtu();

    /** Largest frame (incl. re-inserted tag) a TX slot can hold and the kernel will send, unsegmented. */
    int maxFrameLength();

    /**
     * Whether frames leave with a virtio-net header built from their {@link Offload}: then the kernel or
     * the NIC segments a super-frame and completes a partial checksum on egress. Otherwise a partial
     * checksum is the sender's to complete, and a super-frame is refused as too big.
     */
    boolean carriesOffloads();

    /**
     * Next ready RX frame into {@code rx} (no copy: {@code rx.segment()} is the ring slot); false if
     * none is ready. The frame stays valid until {@link #release}; calling receive again while holding
     * a frame releases the held one first.
     */
    boolean receive(RxFrame rx) throws IOException;

    /** Hands the slot of the frame last returned by receive back to the kernel. No-op if none is held. */
    void release();

    /**
     * Copies {@code length} bytes at {@code src[offset]} into the next TX slot; when {@code tpid != 0}
     * inserts an 802.1Q/802.1ad tag ({@code tpid}, {@code tci}) after the 12 MAC bytes. A port that
     * {@link #carriesOffloads() carries offloads} writes {@code offload} in front of the frame, its
     * offsets shifted by the inserted tag, and takes a super-frame up to its slot's size. Returns
     * {@link #TX_OK}, {@link #TX_RING_FULL}, {@link #TX_TOO_BIG}, {@link #TX_TOO_SHORT} or {@link #TX_PORT_GONE}.
     * Does not send.
     */
    int transmit(MemorySegment src, long offset, int length, int tpid, int tci, Offload offload);

    /** {@link #transmit(MemorySegment, long, int, int, int, Offload)} of a frame with nothing left to offload. */
    default int transmit(MemorySegment src, long offset, int length, int tpid, int tci) {
        return transmit(src, offset, length, tpid, tci, Offload.NONE);
    }

    /**
     * The frame last accepted by {@link #transmit}, in its TX slot, so the caller can patch it (e.g.
     * complete a checksum) before {@link #flush}. The segment starts at the frame's first byte; its
     * size is the slot's capacity, not the frame length (which is {@code length}, plus 4 if a tag was
     * inserted). Valid until the next flush.
     */
    MemorySegment lastTxFrame();

    /**
     * Kicks the kernel once for all frames transmitted since the last flush:
     * {@code sendto(fd, NULL, 0, MSG_DONTWAIT)}. Cheap when nothing is pending, so call it every duty
     * cycle. A transient refusal (EAGAIN, ENOBUFS) leaves the frames queued for the next flush.
     */
    void flush() throws IOException;

    /**
     * Blocks up to {@code timeoutMillis} until RX has a frame ({@code poll(2)}); for the blocking idle
     * strategy. Returns whether {@link #receive} would now return a frame.
     */
    boolean awaitReadable(int timeoutMillis) throws IOException;

    /**
     * Reads the kernel's RX ring counters (PACKET_STATISTICS, which reading clears) into the totals of
     * {@link #rxRingDrops()} and {@link #rxRingFreezes()}. Call it at least once a second: the kernel's
     * counters are 32 bits wide. Allocates nothing.
     */
    void collectRingStatistics() throws IOException;

    /** Frames the kernel dropped because the RX ring was full, as of the last {@link #collectRingStatistics()}. */
    long rxRingDrops();

    /** TPACKET_V3: times every RX block was waiting for user space; 0 for other rings. */
    long rxRingFreezes();

    /** Releases the port's rings, socket and memory; idempotent. */
    @Override
    void close();
}
