package org.quietbridge.bridge.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct packet_mreq}, the PACKET_ADD_MEMBERSHIP argument, from include/uapi/linux/if_packet.h:
 * <pre>
 * struct packet_mreq {
 *     int            mr_ifindex;      // 0
 *     unsigned short mr_type;         // 4  PACKET_MR_PROMISC, ...
 *     unsigned short mr_alen;         // 6
 *     unsigned char  mr_address[8];   // 8
 * };                                  // 16 bytes
 * </pre>
 */
public final class PacketMreq {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("mr_ifindex"),
            JAVA_SHORT.withName("mr_type"),
            JAVA_SHORT.withName("mr_alen"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("mr_address"))
            .withName("packet_mreq");

    /** (MemorySegment, long base) -> int. */
    public static final VarHandle MR_IFINDEX = LAYOUT.varHandle(groupElement("mr_ifindex"));
    /** (MemorySegment, long base) -> short. */
    public static final VarHandle MR_TYPE = LAYOUT.varHandle(groupElement("mr_type"));
    /** (MemorySegment, long base) -> short. */
    public static final VarHandle MR_ALEN = LAYOUT.varHandle(groupElement("mr_alen"));
    /** (MemorySegment, long base, long index) -> byte. */
    public static final VarHandle MR_ADDRESS = LAYOUT.varHandle(groupElement("mr_address"), sequenceElement());

    private PacketMreq() {
    }
}
