package org.quietbridge.bridge.port;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import org.quietbridge.bridge.sys.Ifreq;
import org.quietbridge.bridge.sys.LinuxConstants;
import org.quietbridge.bridge.sys.LinuxSyscalls;
import org.quietbridge.bridge.sys.NativeException;
import org.quietbridge.bridge.sys.NetDeviceControl;
import org.quietbridge.bridge.sys.VirtioNetHdr;

/**
 * A bridge port on a Linux interface: a {@link PacketSocket} with an RX ring ({@link SlotRxRing} for
 * TPACKET_V2, the default, or {@link BlockRxRing} for V3) and a {@link TxRing} in one shared mapping.
 *
 * <p>Offloads (docs/ARCHITECTURE.md, "Offloads"). With {@link OffloadMode#AUTO}, the default, the socket
 * carries virtio-net headers (PACKET_VNET_HDR): a GSO or GRO super-frame arrives whole, with its segment
 * size, and a frame whose checksum the sender left to offload arrives with where that checksum goes
 * ({@link RxFrame#offload()}); both leave the same way, and the kernel or the NIC segments and checksums
 * on egress. A V2 RX slot stays MTU-sized: a super-frame comes through the copy lane (PACKET_COPY_THRESH,
 * see {@link SlotRxRing}), and TX slots are 68 KiB ({@link RingGeometry#forTx}). The port turns GRO on,
 * so that frames from hosts without offloads are merged too ({@link ReceiveOffloads}). Where the kernel
 * cannot do this (before Linux 4.11, or PACKET_VNET_HDR refused), or with {@link OffloadMode#OFF}, the port
 * runs as a plain ring: it turns GRO off, a partial checksum is completed in software by the forwarding
 * agent, and a super-frame is cut by the ring and dropped as truncated. Either way LRO is off, and close
 * puts back what open changed.
 * {@link #offloadFallback()} says why.
 *
 * <p>{@link #open} checks that the interface exists and is up, and reads its MTU (SIOCGIFMTU), before it
 * touches anything.
 *
 * <p>Lifetimes: the mapping, the socket and the port's native memory (a shared {@link Arena}, so the
 * agent thread may differ from the opening thread) belong to the port and are released by {@link #close},
 * which must run after the agent stopped using the port. After close, every access to a ring slot fails
 * with {@link IllegalStateException} rather than touching unmapped memory.
 */
public final class PacketRingPort implements FramePort {
    /** How frames that leave through this interface are kept out of RX. Package-private: tests pick. */
    enum OutgoingFilter {
        /** PACKET_IGNORE_OUTGOING, or the sll_pkttype check if the kernel lacks it. */
        SOCKET_OPTION,
        /** Only the sll_pkttype == PACKET_OUTGOING check in receive: the pre-4.20 fallback. */
        PKTTYPE_CHECK,
        /** No filter: for tests that show the filter is needed. */
        NONE
    }

    /**
     * The retire timeout that lets the kernel choose (af_packet.c prb_calc_retire_blk_tmo, from the link
     * speed; DEFAULT_PRB_RETIRE_TOV, 8 ms, when it is unknown). On the lab's veths it added about 11 ms
     * of ping RTT (bench/README.md, "TPACKET_V2 or V3").
     */
    public static final int KERNEL_BLOCK_TIMEOUT = 0;
    /** The first kernel whose tpacket_rcv and tpacket_snd both honour virtio-net headers on the rings. */
    static final int[] VNET_RING_KERNEL = {4, 11};

    private final String name;
    private final int ifindex;
    private final int mtu;
    private final RingGeometry geometry;
    private final RingGeometry txGeometry;
    private final RingVersion version;
    private final int blockTimeoutMillis;
    private final String offloadFallback;
    private final ReceiveOffloads receiveOffloads;
    private final Arena arena;
    private final PacketSocket socket;
    private final RxRing rx;
    private final TxRing tx;
    private boolean closed;

    private PacketRingPort(String name, int ifindex, int mtu, RingGeometry geometry, RingGeometry txGeometry,
                           RingVersion version, int blockTimeoutMillis, String offloadFallback,
                           ReceiveOffloads receiveOffloads, Arena arena, PacketSocket socket) {
        this.name = name;
        this.ifindex = ifindex;
        this.mtu = mtu;
        this.geometry = geometry;
        this.txGeometry = txGeometry;
        this.version = version;
        this.blockTimeoutMillis = blockTimeoutMillis;
        this.offloadFallback = offloadFallback;
        this.receiveOffloads = receiveOffloads;
        this.arena = arena;
        this.socket = socket;
        boolean vnet = offloadFallback == null;
        if (version == RingVersion.V3) {
            this.rx = new BlockRxRing(socket, socket.rxRing(), geometry, vnet);
        } else {
            MemorySegment staging = vnet ? arena.allocate(VirtioNetHdr.SIZE + RingGeometry.MAX_SUPER_FRAME, 64) : null;
            this.rx = new SlotRxRing(socket, socket.rxRing(), geometry, vnet, staging);
        }
        this.tx = new TxRing(name, socket, socket.txRing(), txGeometry, version, vnet, mtu,
                mtu + LinuxConstants.ETH_HLEN + LinuxConstants.VLAN_HLEN);
    }

    /** Opens a port on {@code ifname} with the default ring geometry for its MTU, TPACKET_V2, offloads carried. */
    public static PacketRingPort open(String ifname) throws IOException {
        return open(ifname, null, RingVersion.V2, KERNEL_BLOCK_TIMEOUT, OffloadMode.AUTO, OutgoingFilter.SOCKET_OPTION);
    }

    /** Opens a TPACKET_V2 port on {@code ifname}; {@code geometry} null means {@link RingGeometry#forMtu}. */
    public static PacketRingPort open(String ifname, RingGeometry geometry, OffloadMode offloads) throws IOException {
        return open(ifname, geometry, RingVersion.V2, KERNEL_BLOCK_TIMEOUT, offloads, OutgoingFilter.SOCKET_OPTION);
    }

    /**
     * Opens a port on {@code ifname}; {@code geometry} null means {@link RingGeometry#forMtu}: the RX ring's
     * slots, and, without virtio-net headers, the TX ring's too. {@code blockTimeoutMillis} is the V3 RX
     * block retire timeout (tp_retire_blk_tov), or {@link #KERNEL_BLOCK_TIMEOUT}; V2 ignores it.
     */
    public static PacketRingPort open(String ifname, RingGeometry geometry, RingVersion version,
                                      int blockTimeoutMillis, OffloadMode offloads) throws IOException {
        return open(ifname, geometry, version, blockTimeoutMillis, offloads, OutgoingFilter.SOCKET_OPTION);
    }

    static PacketRingPort open(String ifname, RingGeometry requested, OffloadMode offloads, OutgoingFilter outgoing)
            throws IOException {
        return open(ifname, requested, RingVersion.V2, KERNEL_BLOCK_TIMEOUT, offloads, outgoing);
    }

    static PacketRingPort open(String ifname, RingGeometry requested, RingVersion version, int blockTimeoutMillis,
                               OffloadMode offloads, OutgoingFilter outgoing) throws IOException {
        Objects.requireNonNull(ifname, "ifname");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(offloads, "offloads");
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
        String fallback = offloads == OffloadMode.OFF ? "ring.offloads is off" : kernelLacksVnetRings();
        if (fallback == null) {
            try {
                return open(ifname, ifindex, mtu, requested, version, blockTimeoutMillis, true, null, outgoing);
            } catch (NativeException e) {
                if (!e.syscall().equals("setsockopt") || !e.arguments().contains("PACKET_VNET_HDR")) {
                    throw e;
                }
                fallback = "the kernel refused PACKET_VNET_HDR (" + e.errnoName() + ")";
            }
        }
        return open(ifname, ifindex, mtu, requested, version, blockTimeoutMillis, false, fallback, outgoing);
    }

    private static PacketRingPort open(String ifname, int ifindex, int mtu, RingGeometry requested,
                                       RingVersion version, int blockTimeoutMillis, boolean vnet, String fallback,
                                       PacketRingPort.OutgoingFilter outgoing) throws IOException {
        RingGeometry geometry = requested != null ? requested : RingGeometry.forMtu(mtu);
        int required = RingGeometry.requiredFrameSize(mtu, vnet);
        if (geometry.frameSize() < required) {
            throw new IOException("ring frame size " + geometry.frameSize() + " is too small for MTU " + mtu + " of "
                    + ifname + ": it needs at least " + required);
        }
        RingGeometry rxGeometry = geometry.forRx(version, vnet);
        RingGeometry txGeometry = geometry.forTx(vnet, Math.min(geometry.frameCount(),
                RingGeometry.DEFAULT_SUPER_FRAME_SLOTS));
        Arena arena = Arena.ofShared();
        ReceiveOffloads receiveOffloads = null;
        PacketSocket socket = null;
        try {
            // The socket first: without CAP_NET_RAW, that is what the operator must hear about.
            socket = PacketSocket.open(ifname, ifindex, version, rxGeometry, txGeometry,
                    blockTimeoutMillis, vnet, outgoing, arena);
            try (NetDeviceControl control = new NetDeviceControl()) {
                receiveOffloads = ReceiveOffloads.apply(control, ifname, vnet);
            }
            return new PacketRingPort(ifname, ifindex, mtu, rxGeometry, txGeometry, version, blockTimeoutMillis,
                    fallback, receiveOffloads, arena, socket);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            IOException restore = restore(ifname, receiveOffloads);
            if (restore != null) {
                e.addSuppressed(restore);
            }
            throw e;
        }
    }

    /**
     * Null when the running kernel honours virtio-net headers on both rings (Linux 4.11 and later:
     * tpacket_rcv and tpacket_snd); otherwise why not.
     */
    static String kernelLacksVnetRings() {
        String release;
        try {
            release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return null; // no /proc: let the setsockopt decide
        }
        String[] parts = release.split("[.-]", 3);
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            if (major < VNET_RING_KERNEL[0] || (major == VNET_RING_KERNEL[0] && minor < VNET_RING_KERNEL[1])) {
                return "Linux " + release + " has no virtio-net headers on packet rings (they came in "
                        + VNET_RING_KERNEL[0] + "." + VNET_RING_KERNEL[1] + ")";
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }

    @Override
    public String name() {
        return name;
    }

    /** The socket, for {@link PollIdleStrategy}, which waits on every port at once. */
    int fd() {
        return socket.fd();
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
        return tx.maxFrameLength();
    }

    /** The largest super-frame (its re-inserted tag included) a TX slot holds. */
    public int maxSuperFrameLength() {
        return tx.maxSuperFrameLength();
    }

    /** The RX ring's shape. */
    public RingGeometry geometry() {
        return geometry;
    }

    /** The TX ring's shape: 68 KiB slots with virtio-net headers, the RX ring's without. */
    public RingGeometry txGeometry() {
        return txGeometry;
    }

    public RingVersion version() {
        return version;
    }

    /** The V3 RX block retire timeout asked for, in ms ({@link #KERNEL_BLOCK_TIMEOUT}: the kernel's choice). */
    public int blockTimeoutMillis() {
        return blockTimeoutMillis;
    }

    @Override
    public boolean carriesOffloads() {
        return offloadFallback == null;
    }

    /** Why the port runs without virtio-net headers, or null when it carries offloads. */
    public String offloadFallback() {
        return offloadFallback;
    }

    /** Whether receive drops PACKET_OUTGOING itself (the kernel lacks PACKET_IGNORE_OUTGOING). */
    public boolean filtersOutgoingInUserSpace() {
        return socket.filtersOutgoingInUserSpace();
    }

    /** Frames receive dropped because they were leaving through this interface (user-space filter only). */
    public long outgoingFiltered() {
        return rx.outgoingFiltered();
    }

    /** Whether open turned GRO off (and close will turn it back on): only without virtio-net headers. */
    public boolean turnedGroOff() {
        return receiveOffloads.turnedGroOff();
    }

    /** Whether open turned GRO on (and close will turn it back off): only with virtio-net headers. */
    public boolean turnedGroOn() {
        return receiveOffloads.turnedGroOn();
    }

    @Override
    public boolean receive(RxFrame frame) throws IOException {
        ensureOpen();
        return rx.receive(frame);
    }

    @Override
    public void release() {
        rx.release();
    }

    /** Free TX slots right now (slots the kernel has sent and handed back); for diagnosis and tests. */
    public int txFree() {
        return tx.free();
    }

    @Override
    public int transmit(MemorySegment src, long offset, int length, int tpid, int tci, Offload offload) {
        return tx.transmit(src, offset, length, tpid, tci, offload);
    }

    @Override
    public MemorySegment lastTxFrame() {
        return tx.lastFrame();
    }

    @Override
    public void flush() throws IOException {
        ensureOpen();
        tx.flush();
    }

    @Override
    public boolean awaitReadable(int timeoutMillis) throws IOException {
        ensureOpen();
        if (rx.ready()) {
            return true;
        }
        socket.awaitReadable(timeoutMillis);
        return rx.ready();
    }

    @Override
    public void collectRingStatistics() throws IOException {
        ensureOpen();
        socket.readStatistics();
    }

    @Override
    public long rxRingDrops() {
        return socket.ringDrops();
    }

    @Override
    public long rxRingFreezes() {
        return socket.ringFreezes();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("port " + name + " is closed");
        }
    }

    /**
     * Unmaps the rings, closes the socket (which also ends the promiscuous membership) and restores GRO/LRO
     * as they were. Idempotent. Every step runs even if one fails; failures other than "interface gone"
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
        IOException failure = null;
        try {
            socket.close();
        } catch (IOException e) {
            failure = e;
        }
        IOException restore = restore(name, receiveOffloads);
        if (restore != null) {
            if (failure == null) {
                failure = restore;
            } else {
                failure.addSuppressed(restore);
            }
        }
        if (failure != null) {
            throw new UncheckedIOException("closing port " + name, failure);
        }
    }

    private static IOException restore(String ifname, ReceiveOffloads offloads) {
        if (offloads == null) {
            return null;
        }
        try (NetDeviceControl control = new NetDeviceControl()) {
            offloads.restore(control);
            return null;
        } catch (NativeException e) {
            return new IOException("restoring GRO/LRO on " + ifname + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "PacketRingPort{" + name + ", ifindex=" + ifindex + ", mtu=" + mtu + ", TPACKET_" + version
                + (version == RingVersion.V3 ? ", blockTimeoutMillis=" + blockTimeoutMillis : "") + ", rx " + geometry
                + ", tx " + txGeometry + (offloadFallback == null ? ", virtio-net headers" : ", no offloads: "
                + offloadFallback) + "}";
    }
}
