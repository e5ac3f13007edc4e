package org.quietbridge.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.quietbridge.frame.testing.FrameBuilder;

/** The MAC forms of Microsoft Network Load Balancing for a cluster at 10.14.35.247. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class NlbMacTest {

    private static final int CLUSTER = Ipv4.parse("10.14.35.247");

    @ParameterizedTest(name = "{0} -> {1}, embeds {2}")
    @CsvSource({
        "02:bf:0a:0e:23:f7, UNICAST,   10.14.35.247",
        "03:bf:0a:0e:23:f7, MULTICAST, 10.14.35.247",
        "01:00:5e:7f:23:f7, IGMP,      0.0.35.247",    // only the low two octets survive
        "02:bf:c0:a8:01:0a, UNICAST,   192.168.1.10",
    })
    void recognisesClusterMacsAndTheAddressTheyEmbed(String mac, NlbMac form, String embedded) {
        long m = Ethernet.parseMac(mac);
        assertEquals(form, NlbMac.of(m));
        assertEquals(embedded, Ipv4.format(NlbMac.embeddedIpv4(m)));
    }

    @ParameterizedTest(name = "{0} is not a cluster MAC")
    @CsvSource({
        "02:01:0a:0e:23:f7",   // a member's masked source (host priority 1)
        "02:20:0a:0e:23:f7",   // host priority 32
        "00:11:22:33:44:55",
        "ff:ff:ff:ff:ff:ff",
        "01:00:5e:00:00:fb",   // ordinary IPv4 multicast MAC (224.0.0.251)
        "01:00:5e:ff:23:f7",   // only 23 bits of 01:00:5e are multicast; 0xff is not 0x7f
        "02:be:0a:0e:23:f7",
        "06:bf:0a:0e:23:f7",
    })
    void otherMacsAreNone(String mac) {
        assertEquals(NlbMac.NONE, NlbMac.of(Ethernet.parseMac(mac)));
    }

    @Test
    void maskedMemberSourceIsNotAClusterMacButIsRecognisedForItsCluster() {
        long masked = Ethernet.parseMac("02:01:0a:0e:23:f7");
        assertEquals(NlbMac.NONE, NlbMac.of(masked));
        assertFalse(NlbMac.belongsTo(masked, CLUSTER));
        assertTrue(NlbMac.isMaskedMemberSource(masked, CLUSTER));
        assertTrue(NlbMac.isMaskedMemberSource(Ethernet.parseMac("02:20:0a:0e:23:f7"), CLUSTER));
        assertFalse(NlbMac.isMaskedMemberSource(masked, Ipv4.parse("10.14.35.248")), "another cluster");
        assertFalse(NlbMac.isMaskedMemberSource(Ethernet.parseMac("00:01:0a:0e:23:f7"), CLUSTER), "first octet 00");
        assertFalse(NlbMac.isMaskedMemberSource(Ethernet.parseMac("03:01:0a:0e:23:f7"), CLUSTER), "group bit");
    }

    @Test
    void belongsToComparesAllBitsTheFormCarries() {
        assertTrue(NlbMac.belongsTo(Ethernet.parseMac("02:bf:0a:0e:23:f7"), CLUSTER));
        assertTrue(NlbMac.belongsTo(Ethernet.parseMac("03:bf:0a:0e:23:f7"), CLUSTER));
        assertTrue(NlbMac.belongsTo(Ethernet.parseMac("01:00:5e:7f:23:f7"), CLUSTER));
        // IGMP mode carries only Y.Z, so every W.X shares it.
        assertTrue(NlbMac.belongsTo(Ethernet.parseMac("01:00:5e:7f:23:f7"), Ipv4.parse("192.168.35.247")));
        assertFalse(NlbMac.belongsTo(Ethernet.parseMac("02:bf:0a:0e:23:f7"), Ipv4.parse("192.168.35.247")));
        assertFalse(NlbMac.belongsTo(Ethernet.parseMac("02:bf:0a:0e:23:f8"), CLUSTER));
        assertFalse(NlbMac.belongsTo(Ethernet.parseMac("01:00:5e:7f:23:f8"), CLUSTER));
        assertFalse(NlbMac.belongsTo(Ethernet.parseMac("00:11:22:33:44:55"), CLUSTER));
    }

    @Test
    void buildsTheThreeClusterMacs() {
        assertEquals("02:bf:0a:0e:23:f7", Ethernet.formatMac(NlbMac.unicastMac(CLUSTER)));
        assertEquals("03:bf:0a:0e:23:f7", Ethernet.formatMac(NlbMac.multicastMac(CLUSTER)));
        assertEquals("01:00:5e:7f:23:f7", Ethernet.formatMac(NlbMac.igmpMac(CLUSTER)));
        // High octets at 0xff must not sign-extend into the prefix.
        int high = Ipv4.parse("255.254.253.252");
        assertEquals("02:bf:ff:fe:fd:fc", Ethernet.formatMac(NlbMac.unicastMac(high)));
        assertEquals("03:bf:ff:fe:fd:fc", Ethernet.formatMac(NlbMac.multicastMac(high)));
        assertEquals("01:00:5e:7f:fd:fc", Ethernet.formatMac(NlbMac.igmpMac(high)));
        assertTrue(NlbMac.belongsTo(NlbMac.unicastMac(high), high));
    }

    @Test
    void frameViewReportsTheNlbFormOfTheDestination() {
        byte[] f = FrameBuilder.ethernet().dst(NlbMac.unicastMac(CLUSTER)).udp("10.14.35.1", "10.14.35.247", 80, 80)
                .build();
        FrameView v = new FrameView().wrap(MemorySegment.ofArray(f), 0, f.length);
        assertEquals(NlbMac.UNICAST, v.nlbDestination());
        assertEquals(L2Class.UNICAST, v.l2Class(), "unicast mode floods because no switch learns 02:bf");
    }

    /**
     * 01:00:5e:7f:Y:Z is also the ordinary multicast MAC of 239.255.Y.Z and friends, so SSDP
     * (239.255.255.250) has the IGMP NLB form. Only {@link NlbMac#belongsTo} with a configured
     * cluster IP tells them apart.
     */
    @Test
    void ssdpMulticastMacHasTheIgmpForm() {
        long ssdp = Ethernet.parseMac("01:00:5e:7f:ff:fa");
        assertEquals(NlbMac.IGMP, NlbMac.of(ssdp));
        assertFalse(NlbMac.belongsTo(ssdp, CLUSTER));
    }
}
