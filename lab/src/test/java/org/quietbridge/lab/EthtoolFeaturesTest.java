package org.quietbridge.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class EthtoolFeaturesTest {
    /** A veth end after `ethtool -K eth0 tso off gso off tx off` (ethtool 6.1, Linux 6.18), abridged. */
    private static final String VETH_OFFLOADS_OFF = """
            Features for eth0:
            rx-checksumming: on
            tx-checksumming: off
            \ttx-checksum-ipv4: off [fixed]
            \ttx-checksum-ip-generic: off
            scatter-gather: on
            tcp-segmentation-offload: off
            \ttx-tcp-segmentation: off
            generic-segmentation-offload: off
            generic-receive-offload: off
            large-receive-offload: off [fixed]
            tx-udp-segmentation: off [requested on]
            tx-gre-segmentation: on
            """;

    @Test
    void readsTopLevelAndIndentedFeatures() {
        EthtoolFeatures features = EthtoolFeatures.parse(VETH_OFFLOADS_OFF);

        assertFalse(features.isOn("tx-checksumming"));
        assertFalse(features.isOn("tx-checksum-ip-generic"));
        assertTrue(features.isOn("rx-checksumming"));
        assertTrue(features.isOn("tx-gre-segmentation"));
        assertEquals(12, features.states().size());
    }

    @Test
    void takesTheCurrentStateNotTheRequestedOne() {
        EthtoolFeatures features = EthtoolFeatures.parse(VETH_OFFLOADS_OFF);

        assertFalse(features.isOn("tx-udp-segmentation"));
        assertFalse(features.isOn("large-receive-offload"));
    }

    @Test
    void refusesToGuessAFeatureEthtoolDidNotReport() {
        EthtoolFeatures features = EthtoolFeatures.parse(VETH_OFFLOADS_OFF);

        assertThrows(IllegalArgumentException.class, () -> features.isOn("rx-vlan-offload"));
    }

    @Test
    void skipsTheHeaderLine() {
        assertTrue(EthtoolFeatures.parse("Features for eth0:\n").states().isEmpty());
    }
}
