package org.quietbridge.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * {@code struct sockaddr_ll}, from include/uapi/linux/if_packet.h:
 * <pre>
 * struct sockaddr_ll {
 *     unsigned short sll_family;     //  0
 *     __be16         sll_protocol;   //  2  network byte order
 *     int            sll_ifindex;    //  4
 *     unsigned short sll_hatype;     //  8
 *     unsigned char  sll_pkttype;    // 10
 *     unsigned char  sll_halen;      // 11
 *     unsigned char  sll_addr[8];    // 12
 * };                                 // 20 bytes
 * </pre>
 * The kernel also writes one into every RX ring slot, at {@code TPACKET_ALIGN(sizeof(tpacket2_hdr))}.
 * {@code sll_protocol} is declared big-endian here, so its handle reads and writes host values.
 */
public final class SockaddrLl {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sll_family"),
            JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN).withName("sll_protocol"),
            JAVA_INT.withName("sll_ifindex"),
            JAVA_SHORT.withName("sll_hatype"),
            JAVA_BYTE.withName("sll_pkttype"),
            JAVA_BYTE.withName("sll_halen"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sll_addr"))
            .withName("sockaddr_ll");

    /** (MemorySegment, long base) -> short. */
    public static final VarHandle SLL_FAMILY = LAYOUT.varHandle(groupElement("sll_family"));
    /** (MemorySegment, long base) -> short, host order (the layout is big-endian). */
    public static final VarHandle SLL_PROTOCOL = LAYOUT.varHandle(groupElement("sll_protocol"));
    /** (MemorySegment, long base) -> int. */
    public static final VarHandle SLL_IFINDEX = LAYOUT.varHandle(groupElement("sll_ifindex"));
    /** (MemorySegment, long base) -> short. */
    public static final VarHandle SLL_HATYPE = LAYOUT.varHandle(groupElement("sll_hatype"));
    /** (MemorySegment, long base) -> byte. */
    public static final VarHandle SLL_PKTTYPE = LAYOUT.varHandle(groupElement("sll_pkttype"));
    /** (MemorySegment, long base) -> byte. */
    public static final VarHandle SLL_HALEN = LAYOUT.varHandle(groupElement("sll_halen"));
    /** (MemorySegment, long base, long index) -> byte. */
    public static final VarHandle SLL_ADDR = LAYOUT.varHandle(groupElement("sll_addr"), sequenceElement());

    public static final long SLL_PKTTYPE_OFFSET = LAYOUT.byteOffset(groupElement("sll_pkttype"));

    private SockaddrLl() {
    }
}
