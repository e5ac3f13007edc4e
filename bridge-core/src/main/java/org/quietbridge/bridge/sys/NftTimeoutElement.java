package org.quietbridge.bridge.sys;

import static org.quietbridge.bridge.sys.LinuxConstants.MSG_DONTWAIT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One element of an nftables set with a timeout, kept alive from the data plane: a prepared netlink
 * batch (include/uapi/linux/netfilter/nfnetlink.h, nf_tables.h) that empties the set and adds the element
 * again with its {@code timeout}, sent with one {@code sendto} on a NETLINK_NETFILTER socket. While the
 * sends keep coming, the element stays; when they stop (the process died, or its data plane stands
 * still), it expires after {@code timeout} and rules that test it change course.
 *
 * <p>Why empty and add, not add again: before Linux 6.12 re-adding an element that exists changes
 * nothing, its timeout included ("netfilter: nf_tables: set element timeout update support" added
 * the update); a new element gets a fresh timeout on every kernel. The flush and the add are one
 * transaction: the commit swaps them in at once, so a lookup never finds the set empty between them.
 *
 * <pre>
 * nlmsghdr NFNL_MSG_BATCH_BEGIN   nfgenmsg {AF_UNSPEC, V0, res_id = NFNL_SUBSYS_NFTABLES}
 * nlmsghdr NFT_MSG_DELSETELEM     nfgenmsg {family, V0, 0}, NLM_F_REQUEST: no element list, the whole set
 *   NFTA_SET_ELEM_LIST_TABLE      "table\0"
 *   NFTA_SET_ELEM_LIST_SET        "set\0"
 * nlmsghdr NFT_MSG_NEWSETELEM     nfgenmsg {family, V0, 0}, NLM_F_REQUEST | NLM_F_CREATE
 *   NFTA_SET_ELEM_LIST_TABLE      "table\0"
 *   NFTA_SET_ELEM_LIST_SET        "set\0"
 *   NFTA_SET_ELEM_LIST_ELEMENTS   (nested)
 *     NFTA_LIST_ELEM              (nested)
 *       NFTA_SET_ELEM_KEY         (nested) NFTA_DATA_VALUE: the key's bytes
 *       NFTA_SET_ELEM_TIMEOUT     be64 ms
 * nlmsghdr NFNL_MSG_BATCH_END     nfgenmsg {AF_UNSPEC, V0, res_id = NFNL_SUBSYS_NFTABLES}
 * </pre>
 * No ACK is asked for; the kernel processes the batch inside {@code sendto} and queues an NLMSG_ERROR
 * for a refused message before it returns, which {@link #refresh()} reads.
 *
 * <p>{@link #present()} asks whether the element is still there, as the rules see it: a lone
 * NFT_MSG_GETSETELEM with the key (not a batch), answered inside {@code sendto} with NFT_MSG_NEWSETELEM or
 * an NLMSG_ERROR of ENOENT. The kernel's get, like its lookup from a rule, passes over an element whose
 * timeout ran out that its garbage collector has not removed yet, so "present" means no rule has missed the
 * element since the last refresh. Not thread-safe; {@link #refresh()} and {@link #present()} allocate
 * nothing.
 */
public final class NftTimeoutElement implements AutoCloseable {
    // include/uapi/linux/netlink.h
    public static final int AF_NETLINK = 16;
    public static final int NETLINK_NETFILTER = 12;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_CREATE = 0x400;
    static final int NLMSG_ERROR = 0x2;
    static final int NLA_F_NESTED = 0x8000;
    static final int NLMSGHDR_LENGTH = 16;
    // include/uapi/linux/netfilter/nfnetlink.h
    static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    static final int NFNL_MSG_BATCH_END = 0x11;
    static final int NFNL_SUBSYS_NFTABLES = 10;
    static final int NFGENMSG_LENGTH = 4;
    // include/uapi/linux/netfilter/nf_tables.h
    static final int NFT_MSG_NEWSETELEM = 12;
    static final int NFT_MSG_GETSETELEM = 13;
    static final int NFT_MSG_DELSETELEM = 14;
    static final int NFTA_SET_ELEM_LIST_TABLE = 1;
    static final int NFTA_SET_ELEM_LIST_SET = 2;
    static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    static final int NFTA_LIST_ELEM = 1;
    static final int NFTA_SET_ELEM_KEY = 1;
    static final int NFTA_SET_ELEM_TIMEOUT = 4;
    static final int NFTA_DATA_VALUE = 1;
    /** include/uapi/linux/netfilter.h: NFPROTO_NETDEV. */
    public static final int NFPROTO_NETDEV = 5;

    private static final ValueLayout.OfInt NATIVE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfShort NATIVE_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfShort NETWORK_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong NETWORK_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** struct sockaddr_nl: family, pad, pid (0: the kernel), groups. */
    private static final int SOCKADDR_NL_LENGTH = 12;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment callState = LinuxSyscalls.allocateCallState(arena);
    private final MemorySegment kernel = arena.allocate(SOCKADDR_NL_LENGTH, 4);
    private final MemorySegment refresh;
    private final MemorySegment release;
    private final MemorySegment query;
    private final MemorySegment answers = arena.allocate(8192, 8);
    private final int fd;
    private final String described;
    private long errors;
    private int lastErrno;
    /** What {@link #readAnswers()} found last: the errno of its last error, and whether an element came. */
    private int answeredErrno;
    private boolean answeredElement;
    private boolean closed;

    /**
     * Opens the netlink socket and prepares the batch for {@code table}'s {@code set} (family
     * {@code family}), key {@code key} (the set's key bytes, in the kernel's order), renewed to expire
     * after {@code timeoutMillis}.
     */
    public NftTimeoutElement(int family, String table, String set, byte[] key, long timeoutMillis)
            throws NativeException {
        this.described = "the element of set " + set + " in table " + table;
        this.refresh = batch(family, table, set, key, timeoutMillis);
        this.release = batch(family, table, set, null, 0);
        this.query = query(family, table, set, key);
        kernel.set(NATIVE_SHORT, 0, (short) AF_NETLINK);
        int socket;
        try {
            socket = LinuxSyscalls.socket(callState, AF_NETLINK, LinuxConstants.SOCK_RAW | LinuxConstants.SOCK_CLOEXEC,
                    NETLINK_NETFILTER);
        } catch (NativeException e) {
            arena.close();
            throw e;
        }
        this.fd = socket;
    }

    /** Empties the set, then (unless {@code key} is null) adds the element with its timeout. */
    private MemorySegment batch(int family, String table, String set, byte[] key, long timeoutMillis) {
        Writer w = new Writer(arena.allocate(512, 8));
        w.endMessage(w.message(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, 0, NFNL_SUBSYS_NFTABLES));
        int flush = w.message((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELSETELEM, NLM_F_REQUEST, family, 0);
        w.string(NFTA_SET_ELEM_LIST_TABLE, table);
        w.string(NFTA_SET_ELEM_LIST_SET, set);
        w.endMessage(flush);
        if (key != null) {
            elementMessage(w, NFT_MSG_NEWSETELEM, NLM_F_REQUEST | NLM_F_CREATE, family, table, set, key, timeoutMillis);
        }
        w.endMessage(w.message(NFNL_MSG_BATCH_END, NLM_F_REQUEST, 0, NFNL_SUBSYS_NFTABLES));
        return w.segment.asSlice(0, w.length);
    }

    /** NFT_MSG_GETSETELEM for the element with {@code key}: one message, outside a batch. */
    private MemorySegment query(int family, String table, String set, byte[] key) {
        Writer w = new Writer(arena.allocate(256, 8));
        elementMessage(w, NFT_MSG_GETSETELEM, NLM_F_REQUEST, family, table, set, key, -1);
        return w.segment.asSlice(0, w.length);
    }

    /**
     * One set-element message for {@code key}: table, set, and the element list of that one element, with its
     * timeout unless {@code timeoutMillis} is negative.
     */
    private static void elementMessage(Writer w, int type, int flags, int family, String table, String set,
            byte[] key, long timeoutMillis) {
        int message = w.message((NFNL_SUBSYS_NFTABLES << 8) | type, flags, family, 0);
        w.string(NFTA_SET_ELEM_LIST_TABLE, table);
        w.string(NFTA_SET_ELEM_LIST_SET, set);
        int elements = w.nest(NFTA_SET_ELEM_LIST_ELEMENTS);
        int one = w.nest(NFTA_LIST_ELEM);
        int keyNest = w.nest(NFTA_SET_ELEM_KEY);
        w.bytes(NFTA_DATA_VALUE, key);
        w.endNest(keyNest);
        if (timeoutMillis >= 0) {
            w.be64(NFTA_SET_ELEM_TIMEOUT, timeoutMillis);
        }
        w.endNest(one);
        w.endNest(elements);
        w.endMessage(message);
    }

    /**
     * Whether the element is there now, and has been since the last {@link #refresh()} (an element that
     * expired comes back only by a refresh): one sendto and the kernel's answer, read without waiting.
     * False when it is gone, and when the kernel's answer is anything else (then the caller must assume it
     * expired). Allocates nothing.
     */
    public boolean present() throws NativeException {
        if (!sendAfterDraining(query)) {
            return false;
        }
        readAnswers(); // its NLMSG_ERROR (ENOENT: gone) is the answer, not a refusal to count
        return answeredElement;
    }

    /**
     * Renews the element: it expires {@code timeoutMillis} from now. One sendto, then the kernel's answer
     * read without waiting; returns whether the kernel took it. Allocates nothing.
     */
    public boolean refresh() throws NativeException {
        return send(refresh);
    }

    /** Empties the set: the element is gone at once. Returns whether the kernel took it. */
    public boolean release() throws NativeException {
        return send(release);
    }

    private boolean send(MemorySegment batch) throws NativeException {
        return sendAfterDraining(batch) && drainErrors() == 0;
    }

    /** Reads the answers to earlier sends (they are not this one's), then one sendto; false when it failed (counted). */
    private boolean sendAfterDraining(MemorySegment message) throws NativeException {
        drainErrors();
        long sent = LinuxSyscalls.sendto(callState, fd, message, message.byteSize(), MSG_DONTWAIT, kernel,
                SOCKADDR_NL_LENGTH);
        if (sent < 0) {
            errors++;
            lastErrno = (int) -sent;
            return false;
        }
        return true;
    }

    /**
     * Reads what the kernel answered since the last call (NLMSG_ERROR for a refused batch) without
     * waiting, counts the errors, and returns how many there were. Allocates nothing.
     */
    public int drainErrors() throws NativeException {
        int found = readAnswers();
        if (found > 0) {
            lastErrno = answeredErrno;
        }
        errors += found;
        return found;
    }

    /**
     * Reads every queued answer without waiting: returns how many were NLMSG_ERROR with an error, the last
     * one's errno in {@link #answeredErrno}, and whether an NFT_MSG_NEWSETELEM came in {@link #answeredElement}.
     * Counts nothing. Allocates nothing.
     */
    private int readAnswers() throws NativeException {
        int found = 0;
        answeredElement = false;
        while (true) {
            long n = LinuxSyscalls.recvfrom(callState, fd, answers, MSG_DONTWAIT);
            if (n <= 0) {
                return found;
            }
            for (long at = 0; at + NLMSGHDR_LENGTH <= Math.min(n, answers.byteSize()); ) {
                int length = answers.get(NATIVE_INT, at);
                int type = Short.toUnsignedInt(answers.get(NATIVE_SHORT, at + 4));
                if (type == NLMSG_ERROR && at + NLMSGHDR_LENGTH + 4 <= n) {
                    int error = answers.get(NATIVE_INT, at + NLMSGHDR_LENGTH);
                    if (error != 0) {
                        found++;
                        answeredErrno = -error;
                    }
                } else if (type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWSETELEM)) {
                    answeredElement = true;
                }
                if (length < NLMSGHDR_LENGTH) {
                    break;
                }
                at += (length + 3) & ~3;
            }
        }
    }

    /** Sends or batches the kernel refused, in total. */
    public long errors() {
        return errors;
    }

    /** The errno of the last refusal, or 0. */
    public int lastErrno() {
        return lastErrno;
    }

    /** For tests: the refresh batch as bytes. */
    byte[] refreshBytes() {
        return refresh.toArray(ValueLayout.JAVA_BYTE);
    }

    /** For tests: the query as bytes. */
    byte[] queryBytes() {
        return query.toArray(ValueLayout.JAVA_BYTE);
    }

    /** For tests: the release batch as bytes. */
    byte[] releaseBytes() {
        return release.toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            LinuxSyscalls.close(callState, fd);
        } catch (NativeException ignored) {
            // The descriptor is gone either way.
        } finally {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return described;
    }

    /** Writes netlink messages and attributes into a segment. */
    private static final class Writer {
        final MemorySegment segment;
        int length;

        Writer(MemorySegment segment) {
            this.segment = segment;
        }

        /** nlmsghdr + nfgenmsg; returns where the message starts, for {@link #endMessage}. */
        int message(int type, int flags, int family, int resourceId) {
            int start = length;
            segment.set(NATIVE_SHORT, start + 4, (short) type);
            segment.set(NATIVE_SHORT, start + 6, (short) flags);
            segment.set(NATIVE_INT, start + 8, 0); // sequence
            segment.set(NATIVE_INT, start + 12, 0); // port id: the kernel fills it in
            segment.set(ValueLayout.JAVA_BYTE, start + 16, (byte) family);
            segment.set(ValueLayout.JAVA_BYTE, start + 17, (byte) 0); // NFNETLINK_V0
            segment.set(NETWORK_SHORT, start + 18, (short) resourceId);
            length = start + NLMSGHDR_LENGTH + NFGENMSG_LENGTH;
            return start;
        }

        /** Closes the message opened at {@code start}: its nlmsg_len (32 bits). */
        void endMessage(int start) {
            segment.set(NATIVE_INT, start, length - start);
        }

        /** Closes the nested attribute opened at {@code start}: its nla_len (16 bits). */
        void endNest(int start) {
            segment.set(NATIVE_SHORT, start, (short) (length - start));
        }

        private int attribute(int type, int payloadLength) {
            int start = length;
            segment.set(NATIVE_SHORT, start, (short) (4 + payloadLength));
            segment.set(NATIVE_SHORT, start + 2, (short) type);
            length = start + ((4 + payloadLength + 3) & ~3);
            return start;
        }

        int nest(int type) {
            int start = length;
            segment.set(NATIVE_SHORT, start + 2, (short) (type | NLA_F_NESTED));
            length = start + 4;
            return start;
        }

        void string(int type, String value) {
            byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
            int start = attribute(type, bytes.length + 1);
            MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, start + 4, bytes.length);
            segment.set(ValueLayout.JAVA_BYTE, start + 4 + bytes.length, (byte) 0);
        }

        void bytes(int type, byte[] value) {
            int start = attribute(type, value.length);
            MemorySegment.copy(value, 0, segment, ValueLayout.JAVA_BYTE, start + 4, value.length);
        }

        void be64(int type, long value) {
            int start = attribute(type, 8);
            segment.set(NETWORK_LONG, start + 4, value);
        }
    }
}
