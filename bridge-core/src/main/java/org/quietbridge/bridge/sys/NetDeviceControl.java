package org.quietbridge.bridge.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Interface queries and offload settings through the classic ioctls on an {@code AF_INET} datagram
 * socket (what {@code ip} and {@code ethtool} fall back to). The queries need no privilege; the
 * ethtool setters need CAP_NET_ADMIN.
 *
 * <p>Not thread-safe; not for the hot path. Owns its socket and scratch memory until {@link #close}.
 */
public final class NetDeviceControl implements AutoCloseable {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment callState = LinuxSyscalls.allocateCallState(arena);
    private final MemorySegment ifreq = arena.allocate(Ifreq.LAYOUT);
    private final MemorySegment ethtoolValue = arena.allocate(EthtoolValue.LAYOUT);
    private final int fd;
    private boolean closed;

    public NetDeviceControl() throws NativeException {
        int socket;
        try {
            socket = LinuxSyscalls.socket(callState, LinuxConstants.AF_INET,
                    LinuxConstants.SOCK_DGRAM | LinuxConstants.SOCK_CLOEXEC, 0);
        } catch (NativeException e) {
            arena.close();
            throw e;
        }
        this.fd = socket;
    }

    /** SIOCGIFFLAGS: the low 16 bits of the interface flags (IFF_UP, IFF_RUNNING, ...). */
    public int flags(String ifname) throws NativeException {
        ioctl(ifname, Ifreq.SIOCGIFFLAGS);
        return Short.toUnsignedInt((short) Ifreq.IFRU_FLAGS.get(ifreq, 0L));
    }

    /**
     * SIOCSIFFLAGS: sets the interface administratively up or down ({@code ip link set NAME up|down}),
     * keeping its other flags.
     */
    public void setUp(String ifname, boolean up) throws NativeException {
        setFlag(ifname, Ifreq.IFF_UP, up);
    }

    /**
     * SIOCSIFFLAGS: sets or clears one of the interface's flags ({@link Ifreq#IFF_UP},
     * {@link Ifreq#IFF_PROMISC}: {@code ip link set NAME promisc on}, which outlives the process), keeping
     * the others.
     */
    public void setFlag(String ifname, int flag, boolean on) throws NativeException {
        int flags = flags(ifname);
        int next = on ? flags | flag : flags & ~flag;
        if (next == flags) {
            return;
        }
        Ifreq.IFRU_FLAGS.set(ifreq, 0L, (short) next);
        LinuxSyscalls.ioctl(callState, fd, Ifreq.SIOCSIFFLAGS, ifreq);
    }

    /** SIOCGIFMTU: the L3 MTU. */
    public int mtu(String ifname) throws NativeException {
        ioctl(ifname, Ifreq.SIOCGIFMTU);
        return (int) Ifreq.IFRU_MTU.get(ifreq, 0L);
    }

    /** SIOCGIFINDEX. */
    public int index(String ifname) throws NativeException {
        ioctl(ifname, Ifreq.SIOCGIFINDEX);
        return (int) Ifreq.IFRU_IVALUE.get(ifreq, 0L);
    }

    /** SIOCETHTOOL ETHTOOL_GGRO: whether generic receive offload is on. */
    public boolean gro(String ifname) throws NativeException {
        return ethtool(ifname, EthtoolValue.ETHTOOL_GGRO, 0) != 0;
    }

    /** SIOCETHTOOL ETHTOOL_SGRO. */
    public void setGro(String ifname, boolean on) throws NativeException {
        ethtool(ifname, EthtoolValue.ETHTOOL_SGRO, on ? 1 : 0);
    }

    /** SIOCETHTOOL ETHTOOL_GFLAGS: the legacy flags bitmap (ETH_FLAG_LRO, ...). */
    public int ethtoolFlags(String ifname) throws NativeException {
        return ethtool(ifname, EthtoolValue.ETHTOOL_GFLAGS, 0);
    }

    /**
     * SIOCETHTOOL ETHTOOL_SFLAGS. The kernel refuses a change of any flag the device cannot change
     * (net/ethtool/ioctl.c __ethtool_set_flags), so pass the current flags with only the wanted bit
     * changed.
     */
    public void setEthtoolFlags(String ifname, int flags) throws NativeException {
        ethtool(ifname, EthtoolValue.ETHTOOL_SFLAGS, flags);
    }

    private int ethtool(String ifname, int cmd, int data) throws NativeException {
        EthtoolValue.CMD.set(ethtoolValue, 0L, cmd);
        EthtoolValue.DATA.set(ethtoolValue, 0L, data);
        setName(ifname);
        Ifreq.IFRU_DATA.set(ifreq, 0L, ethtoolValue);
        LinuxSyscalls.ioctl(callState, fd, Ifreq.SIOCETHTOOL, ifreq);
        return (int) EthtoolValue.DATA.get(ethtoolValue, 0L);
    }

    private void ioctl(String ifname, long request) throws NativeException {
        setName(ifname);
        LinuxSyscalls.ioctl(callState, fd, request, ifreq);
    }

    private void setName(String ifname) {
        byte[] name = ifname.getBytes(StandardCharsets.US_ASCII);
        if (name.length >= Ifreq.IFNAMSIZ) {
            throw new IllegalArgumentException("interface name longer than " + (Ifreq.IFNAMSIZ - 1) + " bytes: " + ifname);
        }
        ifreq.fill((byte) 0);
        MemorySegment.copy(name, 0, ifreq, ValueLayout.JAVA_BYTE, Ifreq.IFR_NAME_OFFSET, name.length);
    }

    @Override
    public void close() throws NativeException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            LinuxSyscalls.close(callState, fd);
        } finally {
            arena.close();
        }
    }
}
