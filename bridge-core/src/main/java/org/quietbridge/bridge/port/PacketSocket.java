package org.quietbridge.bridge.port;

import static org.quietbridge.bridge.sys.LinuxConstants.AF_PACKET;
import static org.quietbridge.bridge.sys.LinuxConstants.ETH_P_ALL;
import static org.quietbridge.bridge.sys.LinuxConstants.MAP_POPULATE;
import static org.quietbridge.bridge.sys.LinuxConstants.MAP_SHARED;
import static org.quietbridge.bridge.sys.LinuxConstants.MSG_DONTWAIT;
import static org.quietbridge.bridge.sys.LinuxConstants.MSG_TRUNC;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_ADD_MEMBERSHIP;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_COPY_THRESH;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_IGNORE_OUTGOING;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_LOSS;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_MR_PROMISC;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_QDISC_BYPASS;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_RX_RING;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_STATISTICS;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_TX_RING;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_VERSION;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_VNET_HDR;
import static org.quietbridge.bridge.sys.LinuxConstants.PROT_READ;
import static org.quietbridge.bridge.sys.LinuxConstants.PROT_WRITE;
import static org.quietbridge.bridge.sys.LinuxConstants.SOCK_CLOEXEC;
import static org.quietbridge.bridge.sys.LinuxConstants.SOCK_RAW;
import static org.quietbridge.bridge.sys.LinuxConstants.SOL_PACKET;
import static org.quietbridge.bridge.sys.LinuxConstants.SOL_SOCKET;
import static org.quietbridge.bridge.sys.LinuxConstants.SO_RCVBUF;
import static org.quietbridge.bridge.sys.LinuxConstants.SO_RCVBUFFORCE;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.quietbridge.bridge.sys.Errno;
import org.quietbridge.bridge.sys.LinuxSyscalls;
import org.quietbridge.bridge.sys.NativeException;
import org.quietbridge.bridge.sys.PacketMreq;
import org.quietbridge.bridge.sys.Pollfd;
import org.quietbridge.bridge.sys.SockaddrLl;
import org.quietbridge.bridge.sys.TpacketReq;
import org.quietbridge.bridge.sys.TpacketReq3;
import org.quietbridge.bridge.sys.TpacketStatsV3;

/**
 * The {@code AF_PACKET}/{@code SOCK_RAW} socket of one port and its options: its rings' shared mapping,
 * the TX kick, the copy lane for frames too big for an RX slot, the kernel's ring counters, and poll.
 * Everything here is a system call; the rings themselves are walked by {@link SlotRxRing},
 * {@link BlockRxRing} and {@link TxRing}.
 *
 * <p>What {@link #open} sets, in the order the kernel wants it (docs/ARCHITECTURE.md, "Kernel facts"):
 * <ol>
 *   <li>PACKET_VERSION, then PACKET_LOSS, so the kernel skips a malformed TX frame instead of stopping the
 *       TX ring at it;</li>
 *   <li>PACKET_VNET_HDR, when asked for: it must come before the rings (af_packet.c answers EBUSY
 *       after). Every RX frame then carries a {@code struct virtio_net_hdr}, and every TX frame must;</li>
 *   <li>PACKET_RX_RING and PACKET_TX_RING (each its own shape), and one mmap of both, RX first;</li>
 *   <li>PACKET_IGNORE_OUTGOING (Linux 4.20+), or, where the kernel lacks it, the caller drops
 *       PACKET_OUTGOING slots itself;</li>
 *   <li>PACKET_QDISC_BYPASS, but only without virtio-net headers: TX frames go straight to the driver.
 *       The bypass (net/core/dev.c __dev_direct_xmit) drops a super-frame the device cannot segment
 *       itself, where dev_queue_xmit segments it in software; and af_packet hands such a dropped frame's
 *       slot back as SEND_REQUEST, so the next kick tries it again, forever, and the ring behind it
 *       stops. With virtio-net headers, frames go through the device's queue (none on a veth);</li>
 *   <li>with virtio-net headers on a TPACKET_V2 ring: PACKET_COPY_THRESH, so that a super-frame larger
 *       than an RX slot also goes, whole, to the socket's receive queue (TP_STATUS_COPY in its slot), and
 *       a receive buffer of {@value #COPY_LANE_RCVBUF} bytes for that queue (SO_RCVBUFFORCE, past
 *       net.core.rmem_max);</li>
 *   <li>bind to the interface for ETH_P_ALL (the socket is created with protocol 0, so no frame of
 *       another interface lands in the ring before), then PACKET_MR_PROMISC, which ends with the
 *       socket, so a crash does not leave the interface promiscuous.</li>
 * </ol>
 */
final class PacketSocket implements AutoCloseable {
    /** Bytes of super-frames that may wait in the copy lane (about 60 of 64 KiB, with their skb overhead). */
    static final int COPY_LANE_RCVBUF = 8 << 20;

    private final String ifname;
    private final int fd;
    private final MemorySegment callState;
    private final MemorySegment pollfd;
    private final MemorySegment statistics;
    private final MemorySegment mapping;
    private final long rxRingBytes;
    private final boolean filterOutgoingInUserSpace;
    private long ringDrops;
    private long ringFreezes;
    private boolean closed;

    private PacketSocket(String ifname, int fd, MemorySegment callState, Arena arena, MemorySegment mapping,
                         long rxRingBytes, boolean filterOutgoingInUserSpace) {
        this.ifname = ifname;
        this.fd = fd;
        this.callState = callState;
        this.mapping = mapping;
        this.rxRingBytes = rxRingBytes;
        this.filterOutgoingInUserSpace = filterOutgoingInUserSpace;
        this.statistics = arena.allocate(TpacketStatsV3.LAYOUT);
        this.pollfd = arena.allocate(Pollfd.LAYOUT);
        Pollfd.FD.set(pollfd, 0L, fd);
        Pollfd.EVENTS.set(pollfd, 0L, Pollfd.POLLIN);
    }

    /**
     * Opens the socket for {@code ifindex} with both rings mapped, bound and promiscuous. On failure
     * nothing stays open. {@code arena} holds the socket's native memory and must outlive it.
     */
    static PacketSocket open(String ifname, int ifindex, RingVersion version, RingGeometry rx, RingGeometry tx,
                             int blockTimeoutMillis, boolean vnetHeaders, PacketRingPort.OutgoingFilter outgoing,
                             Arena arena) throws IOException {
        MemorySegment callState = LinuxSyscalls.allocateCallState(arena);
        int fd = socket(callState, ifname);
        MemorySegment mapping = null;
        long rxBytes = rx.ringBytes();
        long length = rxBytes + tx.ringBytes();
        try {
            LinuxSyscalls.setsockoptInt(callState, fd, SOL_PACKET, PACKET_VERSION, version.tpacketVersion());
            LinuxSyscalls.setsockoptInt(callState, fd, SOL_PACKET, PACKET_LOSS, 1);
            if (vnetHeaders) {
                LinuxSyscalls.setsockoptInt(callState, fd, SOL_PACKET, PACKET_VNET_HDR, 1);
            }
            setRings(callState, fd, version, rx, tx, blockTimeoutMillis);
            mapping = LinuxSyscalls.mmap(callState, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                    0L, arena);
            boolean filterInUserSpace = setIgnoreOutgoing(callState, fd, outgoing);
            if (!vnetHeaders) {
                LinuxSyscalls.setsockoptInt(callState, fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1);
            }
            if (vnetHeaders && version == RingVersion.V2) {
                LinuxSyscalls.setsockoptInt(callState, fd, SOL_PACKET, PACKET_COPY_THRESH, 1);
                setReceiveBuffer(callState, fd, COPY_LANE_RCVBUF);
            }
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment address = scratch.allocate(SockaddrLl.LAYOUT);
                SockaddrLl.SLL_FAMILY.set(address, 0L, (short) AF_PACKET);
                SockaddrLl.SLL_PROTOCOL.set(address, 0L, (short) ETH_P_ALL);
                SockaddrLl.SLL_IFINDEX.set(address, 0L, ifindex);
                LinuxSyscalls.bind(callState, fd, address);
                MemorySegment mreq = scratch.allocate(PacketMreq.LAYOUT);
                PacketMreq.MR_IFINDEX.set(mreq, 0L, ifindex);
                PacketMreq.MR_TYPE.set(mreq, 0L, (short) PACKET_MR_PROMISC);
                LinuxSyscalls.setsockopt(callState, fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq);
            }
            return new PacketSocket(ifname, fd, callState, arena, mapping, rxBytes, filterInUserSpace);
        } catch (IOException | RuntimeException | Error e) {
            IOException cleanup = release(fd, mapping == null ? 0L : mapping.address(), mapping == null ? 0L : length);
            if (cleanup != null) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static int socket(MemorySegment callState, String ifname) throws IOException {
        try {
            return LinuxSyscalls.socket(callState, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        } catch (NativeException e) {
            if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
                throw new IOException("opening a packet socket on " + ifname + " needs CAP_NET_RAW (and CAP_NET_ADMIN"
                        + " for offloads): run as root or grant the capabilities; euid is "
                        + LinuxSyscalls.geteuid(), e);
            }
            throw e;
        }
    }

    /**
     * PACKET_RX_RING then PACKET_TX_RING. V3 takes a tpacket_req3: the RX ring gets the retire timeout;
     * the TX ring must have the three V3-only fields 0 (packet_set_ring).
     */
    private static void setRings(MemorySegment callState, int fd, RingVersion version, RingGeometry rx,
                                 RingGeometry tx, int blockTimeoutMillis) throws NativeException {
        try (Arena scratch = Arena.ofConfined()) {
            if (version == RingVersion.V2) {
                MemorySegment req = scratch.allocate(TpacketReq.LAYOUT);
                for (int option : new int[] {PACKET_RX_RING, PACKET_TX_RING}) {
                    RingGeometry g = option == PACKET_RX_RING ? rx : tx;
                    TpacketReq.TP_BLOCK_SIZE.set(req, 0L, g.blockSize());
                    TpacketReq.TP_BLOCK_NR.set(req, 0L, g.blockCount());
                    TpacketReq.TP_FRAME_SIZE.set(req, 0L, g.frameSize());
                    TpacketReq.TP_FRAME_NR.set(req, 0L, g.frameCount());
                    LinuxSyscalls.setsockopt(callState, fd, SOL_PACKET, option, req);
                }
                return;
            }
            MemorySegment req = scratch.allocate(TpacketReq3.LAYOUT); // zeroed: no private area, no rxhash
            for (int option : new int[] {PACKET_RX_RING, PACKET_TX_RING}) {
                RingGeometry g = option == PACKET_RX_RING ? rx : tx;
                TpacketReq3.TP_BLOCK_SIZE.set(req, 0L, g.blockSize());
                TpacketReq3.TP_BLOCK_NR.set(req, 0L, g.blockCount());
                TpacketReq3.TP_FRAME_SIZE.set(req, 0L, g.frameSize());
                TpacketReq3.TP_FRAME_NR.set(req, 0L, g.frameCount());
                TpacketReq3.TP_RETIRE_BLK_TOV.set(req, 0L, option == PACKET_RX_RING ? blockTimeoutMillis : 0);
                LinuxSyscalls.setsockopt(callState, fd, SOL_PACKET, option, req);
            }
        }
    }

    /** Returns whether receive must drop PACKET_OUTGOING slots itself. */
    private static boolean setIgnoreOutgoing(MemorySegment callState, int fd, PacketRingPort.OutgoingFilter outgoing)
            throws NativeException {
        switch (outgoing) {
            case NONE:
                return false;
            case PKTTYPE_CHECK:
                return true;
            default:
                try {
                    LinuxSyscalls.setsockoptInt(callState, fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1);
                    return false;
                } catch (NativeException e) {
                    if (e.errno() == Errno.ENOPROTOOPT) {
                        return true; // Linux before 4.20
                    }
                    throw e;
                }
        }
    }

    /** SO_RCVBUFFORCE (CAP_NET_ADMIN), or SO_RCVBUF up to net.core.rmem_max without it. */
    private static void setReceiveBuffer(MemorySegment callState, int fd, int bytes) throws NativeException {
        try {
            LinuxSyscalls.setsockoptInt(callState, fd, SOL_SOCKET, SO_RCVBUFFORCE, bytes);
        } catch (NativeException e) {
            if (e.errno() != Errno.EPERM) {
                throw e;
            }
            LinuxSyscalls.setsockoptInt(callState, fd, SOL_SOCKET, SO_RCVBUF, bytes);
        }
    }

    /** The RX ring's part of the mapping. */
    MemorySegment rxRing() {
        return mapping.asSlice(0L, rxRingBytes);
    }

    /** The TX ring's part of the mapping. */
    MemorySegment txRing() {
        return mapping.asSlice(rxRingBytes);
    }

    int fd() {
        return fd;
    }

    /** Whether receive must drop PACKET_OUTGOING slots itself (the kernel lacks PACKET_IGNORE_OUTGOING). */
    boolean filtersOutgoingInUserSpace() {
        return filterOutgoingInUserSpace;
    }

    /**
     * One {@code sendto(fd, NULL, 0, MSG_DONTWAIT)}: the kernel sends every SEND_REQUEST slot from its
     * head on. A link-down is reported once more after the fact: packet_notifier (af_packet.c) sets
     * {@code sk_err = ENETDOWN}, and the next send returns it from sock_alloc_send_pskb before it sends
     * any frame, even when the link is up again by then. That failed kick has consumed the error, so
     * kick once more; if the link is still down, the second kick fails for real (tpacket_snd checks
     * IFF_UP).
     */
    void kick() throws NativeException {
        try {
            LinuxSyscalls.sendto(callState, fd, MemorySegment.NULL, 0L, MSG_DONTWAIT, MemorySegment.NULL, 0);
        } catch (NativeException e) {
            if (e.errno() != Errno.ENETDOWN) {
                throw e;
            }
            LinuxSyscalls.sendto(callState, fd, MemorySegment.NULL, 0L, MSG_DONTWAIT, MemorySegment.NULL, 0);
        }
    }

    /**
     * The next frame of the copy lane (the whole frame behind a TP_STATUS_COPY slot), virtio-net header
     * first, into {@code buffer}. Returns its real length, which exceeds the buffer when the frame did not
     * fit, or a negative number when the queue is empty.
     */
    long receiveCopy(MemorySegment buffer) throws NativeException {
        return LinuxSyscalls.recvfrom(callState, fd, buffer, MSG_DONTWAIT | MSG_TRUNC);
    }

    /**
     * Waits up to {@code timeoutMillis} for the RX ring to have something ({@code poll(2)}). Throws the
     * socket's pending error (ENETDOWN when the interface went down: af_packet.c packet_notifier).
     */
    void awaitReadable(int timeoutMillis) throws IOException {
        Pollfd.REVENTS.set(pollfd, 0L, (short) 0);
        if (LinuxSyscalls.poll(callState, pollfd, 1L, timeoutMillis) > 0) {
            short revents = (short) Pollfd.REVENTS.get(pollfd, 0L);
            if ((revents & (Pollfd.POLLERR | Pollfd.POLLNVAL)) != 0) {
                NativeException error = LinuxSyscalls.pendingSocketError(callState, fd, "poll",
                        "fd=" + fd + " (" + ifname + "), POLLERR");
                if (error != null) {
                    throw error;
                }
            }
        }
    }

    /**
     * Adds the kernel's RX counters since the last read to {@link #ringDrops()} and {@link #ringFreezes()}
     * (PACKET_STATISTICS clears them on read). One buffer of tpacket_stats_v3's size serves V2 too: the
     * kernel copies only its tpacket_stats (8 bytes) there, and the freeze count stays 0. Allocates nothing.
     */
    void readStatistics() throws NativeException {
        statistics.fill((byte) 0);
        LinuxSyscalls.getsockopt(callState, fd, SOL_PACKET, PACKET_STATISTICS, statistics);
        ringDrops += Integer.toUnsignedLong((int) TpacketStatsV3.TP_DROPS.get(statistics, 0L));
        ringFreezes += Integer.toUnsignedLong((int) TpacketStatsV3.TP_FREEZE_Q_CNT.get(statistics, 0L));
    }

    /** Frames the kernel dropped because the RX ring was full, as of the last {@link #readStatistics}. */
    long ringDrops() {
        return ringDrops;
    }

    /** TPACKET_V3: times every block of the RX ring was user space's, as of the last {@link #readStatistics}. */
    long ringFreezes() {
        return ringFreezes;
    }

    /** Unmaps the rings and closes the socket (which ends the promiscuous membership). Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = release(fd, mapping.address(), mapping.byteSize());
        if (failure != null) {
            throw failure;
        }
    }

    /** Undoes what open did, in reverse, by raw address (the arena may be closed already). */
    private static IOException release(int fd, long mappingAddress, long mappingLength) {
        IOException failure = null;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment callState = LinuxSyscalls.allocateCallState(scratch);
            if (mappingAddress != 0L) {
                try {
                    LinuxSyscalls.munmap(callState, mappingAddress, mappingLength);
                } catch (NativeException e) {
                    failure = e;
                }
            }
            try {
                LinuxSyscalls.close(callState, fd);
            } catch (NativeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        return failure;
    }
}
