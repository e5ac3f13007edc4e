package org.quietbridge.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.frame.testing.Hex;
import org.quietbridge.frame.testing.HexFrames;

/** {@link FrameView#ipv4DestinationClass}: what kind of receiver the destination names. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class Ipv4DestinationClassTest {

    private static final Ipv4Subnets CONFIGURED = Ipv4Subnets.of(List.of(
            Ipv4Prefix.parse("10.8.0.0/16"),
            Ipv4Prefix.parse("192.168.7.0/24"),
            Ipv4Prefix.parse("172.16.0.0/30"),
            Ipv4Prefix.parse("10.0.0.0/31"),
            Ipv4Prefix.parse("10.0.0.2/32")));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "255.255.255.255, LIMITED_BROADCAST",
        "10.8.255.255,    DIRECTED_BROADCAST",   // configured 10.8.0.0/16
        "192.168.7.255,   DIRECTED_BROADCAST",   // configured 192.168.7.0/24
        "172.16.0.3,      DIRECTED_BROADCAST",   // a /30 has a broadcast address
        "10.8.1.255,      ALL_ONES_HOST",        // all-ones under /24, but the subnet is /16
        "10.255.255.255,  ALL_ONES_HOST",        // all-ones under /8, not configured
        "192.168.8.255,   ALL_ONES_HOST",
        "224.0.0.1,       MULTICAST",
        "224.0.0.251,     MULTICAST",
        "239.255.255.250, MULTICAST",            // SSDP: all-ones host octet, still multicast
        "239.255.255.255, MULTICAST",
        "10.8.1.5,        UNICAST",
        "10.8.0.0,        UNICAST",              // network address: not treated as broadcast
        "10.0.0.1,        UNICAST",              // would be the /31's broadcast: RFC 3021 says none
        "10.0.0.2,        UNICAST",              // a /32's only address
        "223.255.255.254, UNICAST",
        "240.0.0.1,       UNICAST",              // reserved class E is not multicast
    })
    void classifiesDestinationAgainstConfiguredSubnets(String destination, Ipv4Class expected) {
        byte[] f = FrameBuilder.ethernet().udp("10.8.1.5", destination, 137, 137).build();
        FrameView v = new FrameView().wrap(MemorySegment.ofArray(f), 0, f.length);
        assertEquals(expected, v.ipv4DestinationClass(CONFIGURED));
    }

    @Test
    void withoutConfiguredSubnetsADirectedBroadcastIsAnAllOnesHost() {
        FrameView v = decode(Hex.bytes(HexFrames.UNTAGGED_NETBIOS_NAME_BROADCAST));
        assertEquals(Ipv4Class.DIRECTED_BROADCAST, v.ipv4DestinationClass(CONFIGURED));
        assertEquals(Ipv4Class.ALL_ONES_HOST, v.ipv4DestinationClass(Ipv4Subnets.NONE));
    }

    @Test
    void isNullForFramesThatAreNotDecodedIpv4() {
        assertNull(decode(Hex.bytes(HexFrames.TAGGED_ARP_REQUEST)).ipv4DestinationClass(CONFIGURED), "ARP");
        assertNull(decode(Hex.bytes(HexFrames.STP_CONFIGURATION_BPDU)).ipv4DestinationClass(CONFIGURED), "LLC");
        assertNull(decode(Hex.bytes("333300000001 001122334455 86dd 6000000000000000")).ipv4DestinationClass(
                CONFIGURED), "IPv6");
        byte[] badVersion = Hex.bytes(HexFrames.UNTAGGED_NETBIOS_NAME_BROADCAST);
        badVersion[14] = 0x65;
        assertNull(decode(badVersion).ipv4DestinationClass(CONFIGURED), "IPv4 EtherType, version 6");
    }

    @Test
    void broadcastKindsAreTheThreeBroadcastClasses() {
        assertTrue(Ipv4Class.LIMITED_BROADCAST.isBroadcast());
        assertTrue(Ipv4Class.DIRECTED_BROADCAST.isBroadcast());
        assertTrue(Ipv4Class.ALL_ONES_HOST.isBroadcast());
        assertFalse(Ipv4Class.MULTICAST.isBroadcast());
        assertFalse(Ipv4Class.UNICAST.isBroadcast());
    }

    private static FrameView decode(byte[] f) {
        return new FrameView().wrap(MemorySegment.ofArray(f), 0, f.length);
    }
}
