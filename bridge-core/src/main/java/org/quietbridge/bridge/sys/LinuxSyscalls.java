package org.quietbridge.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls the data plane needs, as typed Java methods.
 *
 * <p>Every downcall captures errno ({@link Linker.Option#captureCallState}) into a caller-supplied
 * call-state segment (see {@link #allocateCallState}), so a hot-path caller can keep one segment
 * for the life of its port and a call allocates nothing. A failed call becomes a
 * {@link NativeException} in exactly one place, {@link #failure}, which names the call, its
 * arguments and the errno. Handles are {@code static final} and invoked with {@code invokeExact}.
 *
 * <p>Only this package may touch {@link Linker}; everything else sees these methods.
 */
@SuppressWarnings("restricted")
public final class LinuxSyscalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(groupElement("errno"));

    // int socket(int domain, int type, int protocol)
    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    // int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen)
    private static final MethodHandle BIND = downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    // int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen)
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    // int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen)
    private static final MethodHandle GETSOCKOPT = downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    // int munmap(void *addr, size_t length)
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    // int poll(struct pollfd *fds, nfds_t nfds, int timeout)
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    // ssize_t sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest, socklen_t addrlen)
    private static final MethodHandle SENDTO = downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    // ssize_t recvfrom(int sockfd, void *buf, size_t len, int flags, struct sockaddr *src_addr, socklen_t *addrlen)
    private static final MethodHandle RECVFROM = downcall("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    // int ioctl(int fd, unsigned long request, ...): variadic, the pointer is the first variadic argument
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    // int close(int fd)
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    // unsigned int if_nametoindex(const char *ifname)
    private static final MethodHandle IF_NAMETOINDEX = downcall("if_nametoindex",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // int clock_gettime(clockid_t clockid, struct timespec *tp)
    private static final MethodHandle CLOCK_GETTIME = downcall("clock_gettime",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    // uid_t geteuid(void)
    private static final MethodHandle GETEUID = downcall("geteuid",
            FunctionDescriptor.of(JAVA_INT));

    private LinuxSyscalls() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), descriptor, options);
    }

    /** A segment to receive the errno of one call at a time; allocate one per owner, reuse it. */
    public static MemorySegment allocateCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    private static NativeException failure(MemorySegment callState, String syscall, String arguments) {
        return failure(syscall, arguments, errno(callState));
    }

    /** The one place where an errno becomes an exception. */
    private static NativeException failure(String syscall, String arguments, int errno) {
        return new NativeException(syscall, arguments, errno);
    }

    private static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    /** invokeExact declares Throwable; nothing but programming errors can come out of it here. */
    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException runtime) {
            return runtime;
        }
        if (t instanceof Error error) {
            throw error;
        }
        return new IllegalStateException("unexpected checked exception from a downcall", t);
    }

    /** socket(2). Returns the new file descriptor. */
    public static int socket(MemorySegment callState, int domain, int type, int protocol) throws NativeException {
        int fd;
        try {
            fd = (int) SOCKET.invokeExact(callState, domain, type, protocol);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (fd < 0) {
            throw failure(callState, "socket", LinuxConstants.domainName(domain) + ", "
                    + LinuxConstants.socketTypeName(type) + ", protocol=0x" + Integer.toHexString(protocol));
        }
        return fd;
    }

    /**
     * bind(2) with any address family: {@code address} is exactly the sockaddr bytes
     * (its size is the addrlen); {@code described} names it in the error message.
     */
    public static void bind(MemorySegment callState, int fd, MemorySegment address, String described)
            throws NativeException {
        int rc;
        try {
            rc = (int) BIND.invokeExact(callState, fd, address, (int) address.byteSize());
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (rc < 0) {
            throw failure(callState, "bind", "fd=" + fd + ", " + described);
        }
    }

    /** bind(2) a packet socket; the address length is {@code sockaddrLl.byteSize()}. */
    public static void bind(MemorySegment callState, int fd, MemorySegment sockaddrLl) throws NativeException {
        int rc;
        try {
            rc = (int) BIND.invokeExact(callState, fd, sockaddrLl, (int) sockaddrLl.byteSize());
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (rc < 0) {
            throw failure(callState, "bind", "fd=" + fd + ", sockaddr_ll{sll_protocol=0x"
                    + Integer.toHexString(Short.toUnsignedInt((short) SockaddrLl.SLL_PROTOCOL.get(sockaddrLl, 0L)))
                    + ", sll_ifindex=" + (int) SockaddrLl.SLL_IFINDEX.get(sockaddrLl, 0L) + "}");
        }
    }

    /** setsockopt(2); the option length is {@code optval.byteSize()}. */
    public static void setsockopt(MemorySegment callState, int fd, int level, int optname, MemorySegment optval)
            throws NativeException {
        int rc;
        try {
            rc = (int) SETSOCKOPT.invokeExact(callState, fd, level, optname, optval, (int) optval.byteSize());
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (rc < 0) {
            throw failure(callState, "setsockopt", "fd=" + fd + ", " + LinuxConstants.socketOptionName(level, optname)
                    + describeOptionValue(optname, optval));
        }
    }

    /** setsockopt(2) with an {@code int} value. */
    public static void setsockoptInt(MemorySegment callState, int fd, int level, int optname, int value)
            throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            setsockopt(callState, fd, level, optname, arena.allocateFrom(JAVA_INT, value));
        }
    }

    /** getsockopt(2) into {@code optval}; returns the length the kernel wrote. */
    public static int getsockopt(MemorySegment callState, int fd, int level, int optname, MemorySegment optval)
            throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment optlen = arena.allocateFrom(JAVA_INT, (int) optval.byteSize());
            int rc;
            try {
                rc = (int) GETSOCKOPT.invokeExact(callState, fd, level, optname, optval, optlen);
            } catch (Throwable t) {
                throw unexpected(t);
            }
            if (rc < 0) {
                throw failure(callState, "getsockopt", "fd=" + fd + ", " + LinuxConstants.socketOptionName(level, optname));
            }
            return optlen.get(JAVA_INT, 0L);
        }
    }

    /** getsockopt(2) of an {@code int} option. */
    public static int getsockoptInt(MemorySegment callState, int fd, int level, int optname) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            getsockopt(callState, fd, level, optname, value);
            return value.get(JAVA_INT, 0L);
        }
    }

    /**
     * mmap(2) {@code length} bytes of {@code fd}. The returned segment is valid while {@code arena} is
     * open: closing the arena makes later accesses fail with an exception instead of a crash, but does
     * not unmap; call {@link #munmap} for that.
     */
    public static MemorySegment mmap(MemorySegment callState, long length, int prot, int flags, int fd, long offset,
                                     Arena arena) throws NativeException {
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(callState, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (address.address() == LinuxConstants.MAP_FAILED) {
            throw failure(callState, "mmap", "NULL, length=" + length + ", prot=0x" + Integer.toHexString(prot)
                    + ", flags=0x" + Integer.toHexString(flags) + ", fd=" + fd + ", offset=" + offset);
        }
        return address.reinterpret(length, arena, null);
    }

    /** munmap(2) by raw address, so that it also works after the mapping's arena is closed. */
    public static void munmap(MemorySegment callState, long address, long length) throws NativeException {
        int rc;
        try {
            rc = (int) MUNMAP.invokeExact(callState, MemorySegment.ofAddress(address), length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (rc < 0) {
            throw failure(callState, "munmap", "addr=0x" + Long.toHexString(address) + ", length=" + length);
        }
    }

    /**
     * poll(2). Returns the number of ready descriptors, 0 on timeout or when a signal interrupted the
     * wait (EINTR: the caller just looks again).
     */
    public static int poll(MemorySegment callState, MemorySegment fds, long nfds, int timeoutMillis)
            throws NativeException {
        int rc;
        try {
            rc = (int) POLL.invokeExact(callState, fds, nfds, timeoutMillis);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (rc < 0) {
            if (errno(callState) == Errno.EINTR) {
                return 0;
            }
            throw failure(callState, "poll", "fd=" + (int) Pollfd.FD.get(fds, 0L) + ", nfds=" + nfds
                    + ", timeout=" + timeoutMillis);
        }
        return rc;
    }

    /**
     * clock_gettime(2) into {@code timespec} (struct timespec: 64-bit seconds, 64-bit nanoseconds), as
     * nanoseconds. A vDSO call on Linux; allocates nothing.
     */
    public static long clockGettime(MemorySegment callState, int clockId, MemorySegment timespec) throws NativeException {
        int rc;
        try {
            rc = (int) CLOCK_GETTIME.invokeExact(callState, clockId, timespec);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (rc < 0) {
            throw failure(callState, "clock_gettime", "clockid=" + clockId);
        }
        return timespec.get(JAVA_LONG, 0) * 1_000_000_000L + timespec.get(JAVA_LONG, 8);
    }

    /**
     * sendto(2). Returns the bytes the kernel took, or {@code -errno} for the transient failures a
     * non-blocking TX-ring kick can meet (EAGAIN, ENOBUFS, EINTR): the frames stay in the ring and the
     * next kick sends them. Allocates nothing unless it throws.
     */
    public static long sendto(MemorySegment callState, int fd, MemorySegment buf, long len, int flags,
                              MemorySegment destAddr, int addrLen) throws NativeException {
        long rc;
        try {
            rc = (long) SENDTO.invokeExact(callState, fd, buf, len, flags, destAddr, addrLen);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (rc < 0) {
            int errno = errno(callState);
            if (errno == Errno.EAGAIN || errno == Errno.ENOBUFS || errno == Errno.EINTR) {
                return -errno;
            }
            throw failure(callState, "sendto", "fd=" + fd + ", len=" + len + ", flags=0x" + Integer.toHexString(flags));
        }
        return rc;
    }

    /**
     * recvfrom(2) into {@code buf} without a source address. Returns the bytes received (with MSG_TRUNC,
     * the datagram's real length, which may exceed {@code buf}'s size), or {@code -errno} for EAGAIN and
     * EINTR (nothing to read now). Allocates nothing unless it throws.
     */
    public static long recvfrom(MemorySegment callState, int fd, MemorySegment buf, int flags) throws NativeException {
        long rc;
        try {
            rc = (long) RECVFROM.invokeExact(callState, fd, buf, buf.byteSize(), flags, MemorySegment.NULL,
                    MemorySegment.NULL);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (rc < 0) {
            int errno = errno(callState);
            if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                return -errno;
            }
            throw failure(callState, "recvfrom", "fd=" + fd + ", len=" + buf.byteSize() + ", flags=0x"
                    + Integer.toHexString(flags));
        }
        return rc;
    }

    /** ioctl(2) with a {@code struct ifreq *} argument (SIOCGIFFLAGS, SIOCGIFMTU, SIOCGIFINDEX, SIOCETHTOOL). */
    public static void ioctl(MemorySegment callState, int fd, long request, MemorySegment ifreq) throws NativeException {
        int rc;
        try {
            rc = (int) IOCTL.invokeExact(callState, fd, request, ifreq);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (rc < 0) {
            throw failure(callState, "ioctl", "fd=" + fd + ", " + Ifreq.requestName(request) + describeIfreq(request, ifreq));
        }
    }

    /** close(2). EINTR counts as closed: on Linux the descriptor is released even then. */
    public static void close(MemorySegment callState, int fd) throws NativeException {
        int rc;
        try {
            rc = (int) CLOSE.invokeExact(callState, fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (rc < 0 && errno(callState) != Errno.EINTR) {
            throw failure(callState, "close", "fd=" + fd);
        }
    }

    /**
     * The error a socket has pending ({@code getsockopt(SOL_SOCKET, SO_ERROR)}, which clears it), as the
     * exception of the call that noticed it, or null if there is none. A packet socket reports ENETDOWN
     * this way when its interface goes down (net/packet/af_packet.c packet_notifier).
     */
    public static NativeException pendingSocketError(MemorySegment callState, int fd, String noticedBy, String arguments)
            throws NativeException {
        int error = getsockoptInt(callState, fd, LinuxConstants.SOL_SOCKET, LinuxConstants.SO_ERROR);
        return error == 0 ? null : failure(noticedBy, arguments + ", SO_ERROR", error);
    }

    /** if_nametoindex(3). Returns 0 if there is no such interface (ENODEV); throws on any other failure. */
    public static int ifNameToIndex(String name) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment callState = allocateCallState(arena);
            int index;
            try {
                index = (int) IF_NAMETOINDEX.invokeExact(callState, arena.allocateFrom(name));
            } catch (Throwable t) {
                throw unexpected(t);
            }
            if (index == 0 && errno(callState) != Errno.ENODEV) {
                throw failure(callState, "if_nametoindex", "\"" + name + "\"");
            }
            return index;
        }
    }

    /** geteuid(2); it cannot fail. */
    public static int geteuid() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment callState = allocateCallState(arena);
            try {
                return (int) GETEUID.invokeExact(callState);
            } catch (Throwable t) {
                throw unexpected(t);
            }
        }
    }

    private static String describeOptionValue(int optname, MemorySegment optval) {
        if ((optname == LinuxConstants.PACKET_RX_RING || optname == LinuxConstants.PACKET_TX_RING)
                && optval.byteSize() == TpacketReq.LAYOUT.byteSize()) {
            return ", tpacket_req{tp_block_size=" + (int) TpacketReq.TP_BLOCK_SIZE.get(optval, 0L)
                    + ", tp_block_nr=" + (int) TpacketReq.TP_BLOCK_NR.get(optval, 0L)
                    + ", tp_frame_size=" + (int) TpacketReq.TP_FRAME_SIZE.get(optval, 0L)
                    + ", tp_frame_nr=" + (int) TpacketReq.TP_FRAME_NR.get(optval, 0L) + "}";
        }
        if (optname == LinuxConstants.PACKET_ADD_MEMBERSHIP && optval.byteSize() == PacketMreq.LAYOUT.byteSize()) {
            return ", packet_mreq{mr_ifindex=" + (int) PacketMreq.MR_IFINDEX.get(optval, 0L)
                    + ", mr_type=" + (short) PacketMreq.MR_TYPE.get(optval, 0L) + "}";
        }
        if (optval.byteSize() == Integer.BYTES) {
            return ", " + optval.get(JAVA_INT, 0L);
        }
        return "";
    }

    private static String describeIfreq(long request, MemorySegment ifreq) {
        String description = ", ifr_name=" + ifreq.getString(Ifreq.IFR_NAME_OFFSET);
        if (request == Ifreq.SIOCETHTOOL) {
            MemorySegment data = ((MemorySegment) Ifreq.IFRU_DATA.get(ifreq, 0L))
                    .reinterpret(EthtoolValue.LAYOUT.byteSize());
            int cmd = (int) EthtoolValue.CMD.get(data, 0L);
            description += ", " + EthtoolValue.commandName(cmd) + " data=0x"
                    + Integer.toHexString((int) EthtoolValue.DATA.get(data, 0L));
        }
        return description;
    }
}
