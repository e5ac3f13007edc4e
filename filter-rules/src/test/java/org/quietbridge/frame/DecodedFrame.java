package org.quietbridge.frame;

import java.util.List;

/**
 * Every accessor of a {@link FrameView} read once into a value, so two decodes can be
 * compared field by field (a reused view against a fresh one, a frame at offset 0 against
 * the same bytes deeper in a segment, the decoder against {@link ReferenceDecoder}).
 *
 * <p>The tag arrays hold all {@link FrameView#MAX_TAGS} slots, not only the first
 * {@code tagCount}: slots past the count must read 0, or a reused view leaks the tags of
 * an earlier frame.
 */
record DecodedFrame(
        int length,
        Malformation malformation,
        boolean malformed,
        long destinationMac,
        long sourceMac,
        L2Class l2Class,
        NlbMac nlbDestination,
        int tagCount,
        List<Integer> tagTpids,
        List<Integer> tagTcis,
        boolean outOfBandTag,
        int inFrameTags,
        int vlanId,
        int innerVlanId,
        int etherType,
        boolean llc,
        int llcDsap,
        int llcSsap,
        int l3Offset,
        boolean ipv6,
        boolean ipv4,
        int ipv4HeaderLength,
        int ipv4TotalLength,
        int ipProtocol,
        int ipv4Source,
        int ipv4Destination,
        boolean fragment,
        boolean firstFragment,
        boolean nonFirstFragment,
        Ipv4Class ipv4DestinationClass,
        boolean hasPorts,
        int l4Offset,
        int sourcePort,
        int destinationPort,
        boolean udp,
        boolean tcp,
        boolean arp,
        int arpOperation,
        long arpSenderMac,
        int arpSenderIp,
        long arpTargetMac,
        int arpTargetIp) {

    /** Reads every accessor of {@code v}, classifying the IPv4 destination against {@code subnets}. */
    static DecodedFrame of(FrameView v, Ipv4Subnets subnets) {
        Integer[] tpids = new Integer[FrameView.MAX_TAGS];
        Integer[] tcis = new Integer[FrameView.MAX_TAGS];
        for (int i = 0; i < FrameView.MAX_TAGS; i++) {
            tpids[i] = v.tagTpid(i);
            tcis[i] = v.tagTci(i);
        }
        return new DecodedFrame(
                v.length(),
                v.malformation(),
                v.malformed(),
                v.destinationMac(),
                v.sourceMac(),
                v.l2Class(),
                v.nlbDestination(),
                v.tagCount(),
                List.of(tpids),
                List.of(tcis),
                v.outOfBandTag(),
                v.inFrameTags(),
                v.vlanId(),
                v.innerVlanId(),
                v.etherType(),
                v.llc(),
                v.llcDsap(),
                v.llcSsap(),
                v.l3Offset(),
                v.ipv6(),
                v.ipv4(),
                v.ipv4HeaderLength(),
                v.ipv4TotalLength(),
                v.ipProtocol(),
                v.ipv4Source(),
                v.ipv4Destination(),
                v.fragment(),
                v.firstFragment(),
                v.nonFirstFragment(),
                v.ipv4DestinationClass(subnets),
                v.hasPorts(),
                v.l4Offset(),
                v.sourcePort(),
                v.destinationPort(),
                v.udp(),
                v.tcp(),
                v.arp(),
                v.arpOperation(),
                v.arpSenderMac(),
                v.arpSenderIp(),
                v.arpTargetMac(),
                v.arpTargetIp());
    }
}
