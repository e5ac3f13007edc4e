package org.quietbridge.bridge.port;

import static org.quietbridge.bridge.sys.LinuxConstants.AF_PACKET;
import static org.quietbridge.bridge.sys.LinuxConstants.ETH_P_8021Q;
import static org.quietbridge.bridge.sys.LinuxConstants.ETH_P_ALL;
import static org.quietbridge.bridge.sys.LinuxConstants.MAP_POPULATE;
import static org.quietbridge.bridge.sys.LinuxConstants.MAP_SHARED;
import static org.quietbridge.bridge.sys.LinuxConstants.MSG_DONTWAIT;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_ADD_MEMBERSHIP;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_IGNORE_OUTGOING;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_LOSS;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_MR_PROMISC;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_OUTGOING;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_QDISC_BYPASS;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_RX_RING;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_STATISTICS;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_TX_RING;
import static org.quietbridge.bridge.sys.LinuxConstants.PACKET_VERSION;
import static org.quietbridge.bridge.sys.LinuxConstants.PROT_READ;
import static org.quietbridge.bridge.sys.LinuxConstants.PROT_WRITE;
import static org.quietbridge.bridge.sys.LinuxConstants.SOCK_CLOEXEC;
import static org.quietbridge.bridge.sys.LinuxConstants.SOCK_RAW;
import static org.quietbridge.bridge.sys.LinuxConstants.SOL_PACKET;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_LEN;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_MAC;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_SNAPLEN;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_AVAILABLE;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_CSUM_NOT_READY;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_KERNEL;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_SENDING;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_SEND_REQUEST;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_USER;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_VLAN_TPID_VALID;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_VLAN_VALID;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_STATUS_WRONG_FORMAT;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_VLAN_TCI;
import static org.quietbridge.bridge.sys.Tpacket2Hdr.TP_VLAN_TPID;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

import org.quietbridge.bridge.sys.Errno;
import org.quietbridge.bridge.sys.Ifreq;
import org.quietbridge.bridge.sys.LinuxConstants;
import org.quietbridge.bridge.sys.LinuxSyscalls;
import org.quietbridge.bridge.sys.NativeException;
import org.quietbridge.bridge.sys.NetDeviceControl;
import org.quietbridge.bridge.sys.PacketMreq;
import org.quietbridge.bridge.sys.Pollfd;
import org.quietbridge.bridge.sys.SockaddrLl;
import org.quietbridge.bridge.sys.Tpacket2Hdr;
import org.quietbridge.bridge.sys.Tpacket3Hdr;
import org.quietbridge.bridge.sys.TpacketBlockDesc;
import org.quietbridge.bridge.sys.TpacketReq;
import org.quietbridge.bridge.sys.TpacketReq3;
import org.quietbridge.bridge.sys.TpacketStats;

/**
 * A bridge port on a Linux interface: an {@code AF_PACKET}/{@code SOCK_RAW} socket bound to the
 * interface for {@code ETH_P_ALL}, with an RX ring and a TX ring in one shared mapping (RX ring
 * first, then TX ring, as net/packet/af_packet.c packet_mmap requires), both TPACKET_V2 by default or
 * both TPACKET_V3 ({@link RingVersion}).
 *
 * <p>What {@link #open} sets up, and why (ARCHITECTURE.md, "Kernel facts"):
 * <ul>
 *   <li>checks that the interface exists and is up, and reads its MTU (SIOCGIFMTU);</li>
 *   <li>turns GRO and LRO off (SIOCETHTOOL), or refuses naming the {@code ethtool -K} command;
 *       {@link #close} turns back on what it turned off. If the process dies without closing,
 *       they stay off, which is the safe state for a bridge;</li>
 *   <li>TPACKET_V2 (per-frame hand-over, no block retire timer), with PACKET_LOSS so the kernel skips
 *       a malformed TX frame instead of stopping the TX ring at it;</li>
 *   <li>PACKET_IGNORE_OUTGOING (Linux 4.20+), so frames that other sockets or the host stack send
 *       out of this interface do not come back as received. Without it (ENOPROTOOPT), receive drops
 *       slots whose {@code sll_pkttype} is PACKET_OUTGOING. (The kernel never loops a socket's own
 *       transmissions back to that same socket: net/core/dev.c skb_loop_sk.)</li>
 *   <li>PACKET_QDISC_BYPASS: TX frames go straight to the driver;</li>
 *   <li>binds to the interface, then joins PACKET_MR_PROMISC; membership ends with the socket, so a
 *       crash does not leave the interface promiscuous.</li>
 * </ul>
 * The socket is created with protocol 0 and gets ETH_P_ALL only at bind, so no frame of another
 * interface lands in the ring in between.
 *
 * <p>Ring protocol (Documentation/networking/packet_mmap.rst): an RX slot belongs to user space
 * when {@code tp_status & TP_STATUS_USER}; it is read with an acquire load and handed back with a
 * release store of TP_STATUS_KERNEL. A TX slot is free when {@code tp_status} is
 * TP_STATUS_AVAILABLE; the frame goes at {@link Tpacket2Hdr#TX_DATA_OFFSET} (32), then tp_len, then a
 * release store of TP_STATUS_SEND_REQUEST; {@link #flush} kicks the kernel with one
 * {@code sendto(fd, NULL, 0, MSG_DONTWAIT)}.
 *
 * <p>TPACKET_V3 ({@link RingVersion#V3}): the RX ring is block-based. The kernel packs frames
 * ({@code struct tpacket3_hdr}, chained by tp_next_offset) into a block and hands the whole block over,
 * by setting {@code block_status} to TP_STATUS_USER, when the block is full or its retire timer
 * ({@code blockTimeoutMillis}, tp_retire_blk_tov) fires. {@link #receive} walks the block frame by
 * frame; {@link #release} advances within it, and the release of its last frame hands the block back
 * (TP_STATUS_KERNEL). The receive/release contract is the same as with V2; one difference shows: a V3
 * frame may fill a block (64 KiB by default), not just a slot, so a GSO super-frame arrives whole
 * rather than truncated, and the agent drops it as too big. TX is frame-based as in V2 (Linux 4.11+,
 * af_packet.c tpacket_parse_header), with tpacket3_hdr slots whose frame starts at 48 and whose
 * tp_next_offset stays 0; so one socket keeps serving both directions.
 *
 * <p>Lifetimes: the mapping, the socket and the port's native memory (a shared {@link Arena}, so the
 * agent thread may differ from the opening thread) belong to the port and are released by
 * {@link #close}, which must run after the agent stopped using the port. After close, every access to
 * a ring slot fails with {@link IllegalStateException} rather than touching unmapped memory.
 */
public final class PacketRingPort implements FramePort {
    /** How frames that leave through this interface are kept out of RX. Package-private: tests pick. */
    enum OutgoingFilter {
        /** PACKET_IGNORE_OUTGOING, or the sll_pkttype check if the kernel lacks it. */
        SOCKET_OPTION,
        /** Only the sll_pkttype == PACKET_OUTGOING check in {@link #receive}: the pre-4.20 fallback. */
        PKTTYPE_CHECK,
        /** No filter: for tests that show the filter is needed. */
        NONE
    }

    /** Base offset of the sockaddr_ll the kernel writes into each RX slot (the struct handles add the field offset). */
    private static final long SOCKADDR_LL_IN_SLOT = Tpacket2Hdr.SOCKADDR_LL_OFFSET;
    /** The same from a TPACKET_V3 frame's header. */
    private static final long SOCKADDR_LL_IN_V3_FRAME = Tpacket3Hdr.SOCKADDR_LL_OFFSET;
    private static final int TX_BUSY = TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING | TP_STATUS_WRONG_FORMAT;

    private final String name;
    private final int ifindex;
    private final int mtu;
    private final RingGeometry geometry;
    private final RingVersion version;
    /** version == V3, read on every data-path call; final, so the JIT folds the branches. */
    private final boolean v3;
    private final int blockTimeoutMillis;
    private final int maxFrameLength;
    private final boolean filterOutgoingInUserSpace;
    private final ReceiveOffloads offloads;

    private final Arena arena;
    private final MemorySegment callState;
    private final MemorySegment pollfd;
    private final int fd;
    private final long mappingAddress;
    private final long mappingLength;
    private final MemorySegment[] rxSlots;
    private final MemorySegment[] txSlots;
    private final MemorySegment[] txFrames;
    private final int slotCount;
    /** V3 only: the RX ring's blocks. */
    private final MemorySegment[] rxBlocks;
    private final int blockCount;

    private int rxIndex;
    private boolean rxHeld;
    /** V3: the block receive walks (rxBlock), the frames of it not yet released, and the current frame's offset. */
    private int rxBlock;
    private int blockFramesLeft;
    private long blockFrameOffset;
    private int txHead;
    private int txKnownFree;
    private int txPending;
    private int lastTxIndex = -1;
    private boolean kickOwed;
    private long outgoingFiltered;
    private boolean closed;

    private PacketRingPort(String name, int ifindex, int mtu, RingGeometry geometry, RingVersion version,
                           int blockTimeoutMillis, boolean filterOutgoingInUserSpace, ReceiveOffloads offloads,
                           Arena arena, MemorySegment callState, int fd, MemorySegment mapping) {
        this.name = name;
        this.ifindex = ifindex;
        this.mtu = mtu;
        this.geometry = geometry;
        this.version = version;
        this.v3 = version == RingVersion.V3;
        this.blockTimeoutMillis = blockTimeoutMillis;
        this.maxFrameLength = Math.min(geometry.txCapacity(version),
                mtu + LinuxConstants.ETH_HLEN + LinuxConstants.VLAN_HLEN);
        this.filterOutgoingInUserSpace = filterOutgoingInUserSpace;
        this.offloads = offloads;
        this.arena = arena;
        this.callState = callState;
        this.fd = fd;
        this.mappingAddress = mapping.address();
        this.mappingLength = mapping.byteSize();
        this.slotCount = geometry.frameCount();
        this.rxSlots = new MemorySegment[slotCount];
        this.txSlots = new MemorySegment[slotCount];
        this.txFrames = new MemorySegment[slotCount];
        long txRing = geometry.ringBytes();
        for (int i = 0; i < slotCount; i++) {
            long offset = geometry.slotOffset(i);
            rxSlots[i] = mapping.asSlice(offset, geometry.frameSize());
            txSlots[i] = mapping.asSlice(txRing + offset, geometry.frameSize());
            txFrames[i] = txSlots[i].asSlice(version.txDataOffset());
        }
        this.blockCount = geometry.blockCount();
        this.rxBlocks = new MemorySegment[v3 ? blockCount : 0];
        for (int i = 0; i < rxBlocks.length; i++) {
            rxBlocks[i] = mapping.asSlice((long) i * geometry.blockSize(), geometry.blockSize());
        }
        this.pollfd = arena.allocate(Pollfd.LAYOUT);
        Pollfd.FD.set(pollfd, 0L, fd);
        Pollfd.EVENTS.set(pollfd, 0L, Pollfd.POLLIN);
    }

    /**
     * The retire timeout that lets the kernel choose (af_packet.c prb_calc_retire_blk_tmo, from the link
     * speed; DEFAULT_PRB_RETIRE_TOV, 8 ms, when it is unknown). On the lab's veths it added about 11 ms
     * of ping RTT (bench/README.md, "TPACKET_V2 or V3").
     */
    public static final int KERNEL_BLOCK_TIMEOUT = 0;

    /** Opens a port on {@code ifname} with the default ring geometry for its MTU, TPACKET_V2. */
    public static PacketRingPort open(String ifname) throws IOException {
        return open(ifname, null, RingVersion.V2, KERNEL_BLOCK_TIMEOUT, OutgoingFilter.SOCKET_OPTION);
    }

    /** Opens a TPACKET_V2 port on {@code ifname}; {@code geometry} null means {@link RingGeometry#forMtu}. */
    public static PacketRingPort open(String ifname, RingGeometry geometry) throws IOException {
        return open(ifname, geometry, RingVersion.V2, KERNEL_BLOCK_TIMEOUT, OutgoingFilter.SOCKET_OPTION);
    }

    /**
     * Opens a port on {@code ifname}; {@code geometry} null means {@link RingGeometry#forMtu}.
     * {@code blockTimeoutMillis} is the V3 RX block retire timeout (tp_retire_blk_tov), or
     * {@link #KERNEL_BLOCK_TIMEOUT}; V2 ignores it.
     */
    public static PacketRingPort open(String ifname, RingGeometry geometry, RingVersion version,
                                      int blockTimeoutMillis) throws IOException {
        return open(ifname, geometry, version, blockTimeoutMillis, OutgoingFilter.SOCKET_OPTION);
    }

    static PacketRingPort open(String ifname, RingGeometry requested, OutgoingFilter outgoing) throws IOException {
        return open(ifname, requested, RingVersion.V2, KERNEL_BLOCK_TIMEOUT, outgoing);
    }

    static PacketRingPort open(String ifname, RingGeometry requested, RingVersion version, int blockTimeoutMillis,
                               OutgoingFilter outgoing) throws IOException {
        Objects.requireNonNull(ifname, "ifname");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(outgoing, "outgoing");
        if (blockTimeoutMillis < 0) {
            throw new IllegalArgumentException("blockTimeoutMillis " + blockTimeoutMillis);
        }
        int ifindex = LinuxSyscalls.ifNameToIndex(ifname);
        if (ifindex == 0) {
            throw new IOException("no such interface: " + ifname);
        }
        int mtu;
        try (NetDeviceControl control = new NetDeviceControl()) {
            if ((control.flags(ifname) & Ifreq.IFF_UP) == 0) {
                throw new IOException("interface " + ifname + " is down; bring it up with: ip link set " + ifname + " up");
            }
            mtu = control.mtu(ifname);
        }
        RingGeometry geometry = requested != null ? requested : RingGeometry.forMtu(mtu);
        if (geometry.frameSize() < RingGeometry.requiredFrameSize(mtu)) {
            throw new IOException("ring frame size " + geometry.frameSize() + " is too small for MTU " + mtu + " of "
                    + ifname + ": it needs at least " + RingGeometry.requiredFrameSize(mtu));
        }

        Arena arena = Arena.ofShared();
        MemorySegment callState = LinuxSyscalls.allocateCallState(arena);
        int fd = -1;
        MemorySegment mapping = null;
        ReceiveOffloads offloads = null;
        try {
            fd = openSocket(callState, ifname);
            try (NetDeviceControl control = new NetDeviceControl()) {
                offloads = ReceiveOffloads.disable(control, ifname);
            }
            LinuxSyscalls.setsockoptInt(callState, fd, SOL_PACKET, PACKET_VERSION, version.tpacketVersion());
            LinuxSyscalls.setsockoptInt(callState, fd, SOL_PACKET, PACKET_LOSS, 1);
            setRings(callState, fd, geometry, version, blockTimeoutMillis);
            mapping = LinuxSyscalls.mmap(callState, 2 * geometry.ringBytes(), PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_POPULATE, fd, 0L, arena);
            boolean filterInUserSpace = setIgnoreOutgoing(callState, fd, outgoing);
            LinuxSyscalls.setsockoptInt(callState, fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1);
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
            return new PacketRingPort(ifname, ifindex, mtu, geometry, version, blockTimeoutMillis, filterInUserSpace,
                    offloads, arena, callState, fd, mapping);
        } catch (IOException | RuntimeException | Error e) {
            long mappingAddress = mapping != null ? mapping.address() : 0L;
            long mappingLength = mapping != null ? mapping.byteSize() : 0L;
            arena.close();
            IOException cleanup = release(ifname, offloads, fd, mappingAddress, mappingLength);
            if (cleanup != null) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * PACKET_RX_RING then PACKET_TX_RING, same shape. V3 takes a tpacket_req3: the RX ring gets the
     * retire timeout; the TX ring must have the three V3-only fields 0 (packet_set_ring).
     */
    private static void setRings(MemorySegment callState, int fd, RingGeometry geometry, RingVersion version,
                                 int blockTimeoutMillis) throws NativeException {
        try (Arena scratch = Arena.ofConfined()) {
            if (version == RingVersion.V2) {
                MemorySegment req = scratch.allocate(TpacketReq.LAYOUT);
                TpacketReq.TP_BLOCK_SIZE.set(req, 0L, geometry.blockSize());
                TpacketReq.TP_BLOCK_NR.set(req, 0L, geometry.blockCount());
                TpacketReq.TP_FRAME_SIZE.set(req, 0L, geometry.frameSize());
                TpacketReq.TP_FRAME_NR.set(req, 0L, geometry.frameCount());
                LinuxSyscalls.setsockopt(callState, fd, SOL_PACKET, PACKET_RX_RING, req);
                LinuxSyscalls.setsockopt(callState, fd, SOL_PACKET, PACKET_TX_RING, req);
                return;
            }
            MemorySegment req = scratch.allocate(TpacketReq3.LAYOUT); // zeroed: no private area, no rxhash
            TpacketReq3.TP_BLOCK_SIZE.set(req, 0L, geometry.blockSize());
            TpacketReq3.TP_BLOCK_NR.set(req, 0L, geometry.blockCount());
            TpacketReq3.TP_FRAME_SIZE.set(req, 0L, geometry.frameSize());
            TpacketReq3.TP_FRAME_NR.set(req, 0L, geometry.frameCount());
            TpacketReq3.TP_RETIRE_BLK_TOV.set(req, 0L, blockTimeoutMillis);
            LinuxSyscalls.setsockopt(callState, fd, SOL_PACKET, PACKET_RX_RING, req);
            TpacketReq3.TP_RETIRE_BLK_TOV.set(req, 0L, 0);
            LinuxSyscalls.setsockopt(callState, fd, SOL_PACKET, PACKET_TX_RING, req);
        }
    }

    private static int openSocket(MemorySegment callState, String ifname) throws IOException {
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

    /** Returns whether receive must drop PACKET_OUTGOING slots itself. */
    private static boolean setIgnoreOutgoing(MemorySegment callState, int fd, OutgoingFilter outgoing)
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

    @Override
    public String name() {
        return name;
    }

    /** The socket, for {@link PollIdleStrategy}, which waits on every port at once. */
    int fd() {
        return fd;
    }

    /** The interface index the socket is bound to. */
    public int ifindex() {
        return ifindex;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int maxFrameLength() {
        return maxFrameLength;
    }

    public RingGeometry geometry() {
        return geometry;
    }

    public RingVersion version() {
        return version;
    }

    /** The V3 RX block retire timeout asked for, in ms ({@link #KERNEL_BLOCK_TIMEOUT}: the kernel's choice). */
    public int blockTimeoutMillis() {
        return blockTimeoutMillis;
    }

    /** Whether receive drops PACKET_OUTGOING itself (the kernel lacks PACKET_IGNORE_OUTGOING). */
    public boolean filtersOutgoingInUserSpace() {
        return filterOutgoingInUserSpace;
    }

    /** Frames receive dropped because they were leaving through this interface (user-space filter only). */
    public long outgoingFiltered() {
        return outgoingFiltered;
    }

    /** Whether open turned GRO off (and close will turn it back on). */
    public boolean turnedGroOff() {
        return offloads.groWasOn();
    }

    /** Whether open turned LRO off (and close will turn it back on). */
    public boolean turnedLroOff() {
        return offloads.lroWasOn();
    }

    @Override
    public boolean receive(RxFrame rx) {
        if (rxHeld) {
            release();
        }
        if (v3) {
            return receiveFromBlock(rx);
        }
        while (true) {
            MemorySegment slot = rxSlots[rxIndex];
            int status = (int) TP_STATUS.getAcquire(slot, 0L);
            if ((status & TP_STATUS_USER) == 0) {
                return false;
            }
            if (filterOutgoingInUserSpace && (byte) SockaddrLl.SLL_PKTTYPE.get(slot, SOCKADDR_LL_IN_SLOT) == PACKET_OUTGOING) {
                outgoingFiltered++;
                handBack(slot);
                continue;
            }
            int tpid = 0;
            int tci = 0;
            if ((status & TP_STATUS_VLAN_VALID) != 0) {
                tci = Short.toUnsignedInt((short) TP_VLAN_TCI.get(slot, 0L));
                tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0
                        ? Short.toUnsignedInt((short) TP_VLAN_TPID.get(slot, 0L)) : 0;
                if (tpid == 0) {
                    tpid = ETH_P_8021Q; // kernels before 3.14 report no TPID: it was 802.1Q
                }
            }
            rx.set(slot, Short.toUnsignedInt((short) TP_MAC.get(slot, 0L)), (int) TP_SNAPLEN.get(slot, 0L),
                    (int) TP_LEN.get(slot, 0L), tpid, tci, (status & TP_STATUS_CSUM_NOT_READY) != 0);
            rxHeld = true;
            return true;
        }
    }

    /**
     * TPACKET_V3: the next frame of the block being walked, or of the next block once the kernel has
     * handed it over. The block's acquire load of block_status orders the reads of its frames.
     */
    private boolean receiveFromBlock(RxFrame rx) {
        while (true) {
            MemorySegment block = rxBlocks[rxBlock];
            if (blockFramesLeft == 0) {
                if (((int) TpacketBlockDesc.BLOCK_STATUS.getAcquire(block, 0L) & TP_STATUS_USER) == 0) {
                    return false;
                }
                blockFramesLeft = (int) TpacketBlockDesc.NUM_PKTS.get(block, 0L);
                blockFrameOffset = Integer.toUnsignedLong((int) TpacketBlockDesc.OFFSET_TO_FIRST_PKT.get(block, 0L));
                if (blockFramesLeft == 0) { // the kernel does not close empty blocks; be safe if it ever does
                    handBackBlock(block);
                    continue;
                }
            }
            long frame = blockFrameOffset;
            if (filterOutgoingInUserSpace
                    && (byte) SockaddrLl.SLL_PKTTYPE.get(block, frame + SOCKADDR_LL_IN_V3_FRAME) == PACKET_OUTGOING) {
                outgoingFiltered++;
                nextInBlock(block);
                continue;
            }
            int status = (int) Tpacket3Hdr.TP_STATUS.get(block, frame);
            int tpid = 0;
            int tci = 0;
            if ((status & TP_STATUS_VLAN_VALID) != 0) {
                tci = (int) Tpacket3Hdr.TP_VLAN_TCI.get(block, frame) & 0xFFFF;
                tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0
                        ? Short.toUnsignedInt((short) Tpacket3Hdr.TP_VLAN_TPID.get(block, frame)) : 0;
                if (tpid == 0) {
                    tpid = ETH_P_8021Q;
                }
            }
            rx.set(block, frame + Short.toUnsignedInt((short) Tpacket3Hdr.TP_MAC.get(block, frame)),
                    (int) Tpacket3Hdr.TP_SNAPLEN.get(block, frame), (int) Tpacket3Hdr.TP_LEN.get(block, frame),
                    tpid, tci, (status & TP_STATUS_CSUM_NOT_READY) != 0);
            rxHeld = true;
            return true;
        }
    }

    /** Past the current frame of the block; the last frame's release hands the block back. */
    private void nextInBlock(MemorySegment block) {
        if (--blockFramesLeft == 0) {
            handBackBlock(block);
        } else {
            blockFrameOffset += Integer.toUnsignedLong((int) Tpacket3Hdr.TP_NEXT_OFFSET.get(block, blockFrameOffset));
        }
    }

    private void handBackBlock(MemorySegment block) {
        TpacketBlockDesc.BLOCK_STATUS.setRelease(block, 0L, TP_STATUS_KERNEL);
        if (++rxBlock == blockCount) {
            rxBlock = 0;
        }
    }

    @Override
    public void release() {
        if (rxHeld) {
            rxHeld = false;
            if (v3) {
                nextInBlock(rxBlocks[rxBlock]);
            } else {
                handBack(rxSlots[rxIndex]);
            }
        }
    }

    private void handBack(MemorySegment slot) {
        TP_STATUS.setRelease(slot, 0L, TP_STATUS_KERNEL);
        if (++rxIndex == slotCount) {
            rxIndex = 0;
        }
    }

    private int nextRxIndex() {
        if (!rxHeld) {
            return rxIndex;
        }
        return rxIndex + 1 == slotCount ? 0 : rxIndex + 1;
    }

    /**
     * Counts free slots from the TX head onwards until the first busy one. Slots found free stay free
     * (only this port hands them to the kernel), so the count is kept and only extended.
     */
    @Override
    public int txFree() {
        while (txKnownFree < slotCount) {
            int index = txHead + txKnownFree;
            if (index >= slotCount) {
                index -= slotCount;
            }
            if ((txStatus(txSlots[index]) & TX_BUSY) != 0) {
                break;
            }
            txKnownFree++;
        }
        return txKnownFree;
    }

    @Override
    public int transmit(MemorySegment src, long offset, int length, int tpid, int tci) {
        int verdict = TxFrameCopy.verdict(src, offset, length, tpid, maxFrameLength, mtu);
        if (verdict != TX_OK) {
            return verdict;
        }
        MemorySegment slot = txSlots[txHead];
        if (txKnownFree == 0) {
            if ((txStatus(slot) & TX_BUSY) != 0) {
                return TX_RING_FULL;
            }
            txKnownFree = 1;
        }
        int written = TxFrameCopy.copy(src, offset, length, tpid, tci, txFrames[txHead], 0L);
        if (v3) {
            Tpacket3Hdr.TP_LEN.set(slot, 0L, written);
            Tpacket3Hdr.TP_STATUS.setRelease(slot, 0L, TP_STATUS_SEND_REQUEST);
        } else {
            TP_LEN.set(slot, 0L, written);
            TP_STATUS.setRelease(slot, 0L, TP_STATUS_SEND_REQUEST);
        }
        lastTxIndex = txHead;
        if (++txHead == slotCount) {
            txHead = 0;
        }
        txKnownFree--;
        txPending++;
        return TX_OK;
    }

    @Override
    public MemorySegment lastTxFrame() {
        if (lastTxIndex < 0) {
            throw new IllegalStateException("nothing transmitted on " + name);
        }
        return txFrames[lastTxIndex];
    }

    /**
     * The kernel sends SEND_REQUEST slots from its own head until it meets one that is not; a kick that
     * was cut short (EAGAIN/ENOBUFS, or a positive count for only part of the batch) leaves the last
     * written slot in SEND_REQUEST, and the next flush kicks again.
     */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        if (txPending == 0 && !kickOwed) {
            return;
        }
        kick();
        txPending = 0;
        kickOwed = txStatus(txSlots[lastTxIndex]) == TP_STATUS_SEND_REQUEST;
    }

    /** A TX slot's tp_status, with acquire semantics: at 0 in tpacket2_hdr, at 20 in tpacket3_hdr. */
    private int txStatus(MemorySegment slot) {
        return v3 ? (int) Tpacket3Hdr.TP_STATUS.getAcquire(slot, 0L) : (int) TP_STATUS.getAcquire(slot, 0L);
    }

    /**
     * One {@code sendto(fd, NULL, 0, MSG_DONTWAIT)}. A link-down is reported once more after the
     * fact: packet_notifier (net/packet/af_packet.c) sets {@code sk_err = ENETDOWN}, and the next
     * send returns it from sock_alloc_send_pskb (sock_error) before it sends any frame, even when the
     * link is up again by then. That failed kick has consumed the error, so kick once more; if the
     * link is still down, the second kick fails for real (tpacket_snd checks IFF_UP).
     */
    private void kick() throws NativeException {
        try {
            LinuxSyscalls.sendto(callState, fd, MemorySegment.NULL, 0L, MSG_DONTWAIT, MemorySegment.NULL, 0);
        } catch (NativeException e) {
            if (e.errno() != Errno.ENETDOWN) {
                throw e;
            }
            LinuxSyscalls.sendto(callState, fd, MemorySegment.NULL, 0L, MSG_DONTWAIT, MemorySegment.NULL, 0);
        }
    }

    @Override
    public boolean awaitReadable(int timeoutMillis) throws IOException {
        ensureOpen();
        if (rxReady()) {
            return true;
        }
        Pollfd.REVENTS.set(pollfd, 0L, (short) 0);
        if (LinuxSyscalls.poll(callState, pollfd, 1L, timeoutMillis) > 0) {
            short revents = (short) Pollfd.REVENTS.get(pollfd, 0L);
            if ((revents & (Pollfd.POLLERR | Pollfd.POLLNVAL)) != 0) {
                // A packet socket reports e.g. ENETDOWN through sk_err when its interface goes down.
                NativeException error = LinuxSyscalls.pendingSocketError(callState, fd, "poll",
                        "fd=" + fd + " (" + name + "), POLLERR");
                if (error != null) {
                    throw error;
                }
            }
        }
        return rxReady();
    }

    /** Whether receive would return a frame now (the held one, if any, released first). */
    private boolean rxReady() {
        if (!v3) {
            return ((int) TP_STATUS.getAcquire(rxSlots[nextRxIndex()], 0L) & TP_STATUS_USER) != 0;
        }
        if (blockFramesLeft - (rxHeld ? 1 : 0) > 0) {
            return true;
        }
        int next = blockFramesLeft == 0 ? rxBlock : (rxBlock + 1 == blockCount ? 0 : rxBlock + 1);
        return ((int) TpacketBlockDesc.BLOCK_STATUS.getAcquire(rxBlocks[next], 0L) & TP_STATUS_USER) != 0;
    }

    /**
     * The kernel's counters since the last call (PACKET_STATISTICS clears on read): frames that reached
     * the socket and frames dropped because the RX ring was full.
     */
    public KernelStatistics kernelStatistics() throws IOException {
        ensureOpen();
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment stats = scratch.allocate(TpacketStats.LAYOUT);
            LinuxSyscalls.getsockopt(callState, fd, SOL_PACKET, PACKET_STATISTICS, stats);
            return new KernelStatistics(Integer.toUnsignedLong((int) TpacketStats.TP_PACKETS.get(stats, 0L)),
                    Integer.toUnsignedLong((int) TpacketStats.TP_DROPS.get(stats, 0L)));
        }
    }

    /** {@code struct tpacket_stats}: received frames (dropped ones included) and ring-full drops. */
    public record KernelStatistics(long packets, long drops) {
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("port " + name + " is closed");
        }
    }

    /**
     * Restores GRO/LRO as they were, unmaps the rings, closes the socket (which also ends the promiscuous
     * membership). Idempotent. Every step runs even if one fails; failures other than "interface gone"
     * are then thrown as one {@link UncheckedIOException}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            arena.close();
        } catch (IllegalStateException e) {
            // Another thread is inside a call that uses the port's memory (e.g. blocked in poll).
            throw new IllegalStateException("port " + name + " is in use by another thread; close it after the agent"
                    + " has stopped", e);
        }
        closed = true;
        IOException failure = release(name, offloads, fd, mappingAddress, mappingLength);
        if (failure != null) {
            throw new UncheckedIOException("closing port " + name, failure);
        }
    }

    /** Undoes what open did, in reverse; returns the first failure with the others suppressed. */
    private static IOException release(String ifname, ReceiveOffloads offloads, int fd, long mappingAddress,
                                       long mappingLength) {
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
            if (fd >= 0) {
                try {
                    LinuxSyscalls.close(callState, fd);
                } catch (NativeException e) {
                    failure = chain(failure, e);
                }
            }
        }
        if (offloads != null) {
            try (NetDeviceControl control = new NetDeviceControl()) {
                offloads.restore(control);
            } catch (NativeException e) {
                failure = chain(failure, new IOException("restoring GRO/LRO on " + ifname + ": " + e.getMessage(), e));
            }
        }
        return failure;
    }

    private static IOException chain(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    @Override
    public String toString() {
        return "PacketRingPort{" + name + ", ifindex=" + ifindex + ", mtu=" + mtu + ", TPACKET_" + version
                + (v3 ? ", blockTimeoutMillis=" + blockTimeoutMillis : "") + ", " + geometry + "}";
    }
}
