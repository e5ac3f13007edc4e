package org.quietbridge.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class VethNamespaceTest {
    @Test
    void refusesAPrefixThatMakesNoInterfaceName() {
        LabException e = assertThrows(LabException.class, () -> VethNamespace.create("much-too-long"));
        assertTrue(e.getMessage().contains("1 to 9 lower-case letters"), e.getMessage());
    }

    @Test
    @Timeout(60)
    void joinsANamespaceByAVethPairBothUpWithoutIpv6AndRemovesIt() {
        assumeTrue(Lab.runningAsRoot(), "needs root to create network namespaces");
        String namespace;
        String hostEnd;
        try (VethNamespace veth = VethNamespace.create("qbvt")) {
            namespace = veth.namespace();
            hostEnd = veth.hostEnd();
            assertTrue(namespace.startsWith("qbvt-") && hostEnd.startsWith("qbvt"), namespace + " " + hostEnd);
            String near = veth.run("ip", "-o", "link", "show", hostEnd).stdout();
            assertTrue(near.matches("(?s).*[<,]UP[,>].*"), "near end up: " + near);
            String far = veth.exec("ip", "-o", "link", "show", VethNamespace.FAR_END).stdout();
            assertTrue(far.matches("(?s).*[<,]UP[,>].*"), "far end up: " + far);
            assertEquals("1", veth.exec("cat", "/proc/sys/net/ipv6/conf/" + VethNamespace.FAR_END + "/disable_ipv6")
                    .stdout().strip(), "IPv6 off on the far end");
            assertEquals("1", veth.run("cat", "/proc/sys/net/ipv6/conf/" + hostEnd + "/disable_ipv6").stdout().strip(),
                    "IPv6 off on the near end");
        }
        String namespaces = CommandRunner.run(List.of(HostTool.IP.require(), "netns", "list"), Duration.ofSeconds(10))
                .orThrow().stdout();
        assertFalse(namespaces.contains(namespace), "namespace removed: " + namespaces);
        assertFalse(CommandRunner.run(List.of(HostTool.IP.require(), "link", "show", hostEnd), Duration.ofSeconds(10))
                .succeeded(), "the pair went with it");
    }
}
