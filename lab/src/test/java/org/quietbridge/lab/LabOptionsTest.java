package org.quietbridge.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LabOptionsTest {

    @Test
    void defaultsLookLikeVmsOrContainersAndCleanUpAtExit() {
        LabOptions defaults = LabOptions.defaults();

        assertEquals(1500, defaults.mtu());
        assertTrue(defaults.hostOffloads(), "TSO, GSO and TX checksum offload on, as veth has them");
        assertTrue(defaults.removeOnExit());
        assertEquals(Duration.ofSeconds(30), defaults.commandTimeout());
    }

    @Test
    void withersChangeOneSettingOnly() {
        LabOptions options = LabOptions.defaults().withMtu(9000).withHostOffloads(false).withRemoveOnExit(false);

        assertEquals(new LabOptions(9000, false, Duration.ofSeconds(30), false), options);
    }

    @Test
    void rejectsAnMtuVethCannotHave() {
        assertThrows(IllegalArgumentException.class, () -> LabOptions.defaults().withMtu(67));
        assertThrows(IllegalArgumentException.class, () -> LabOptions.defaults().withMtu(65536));
    }

    @Test
    void rejectsANonPositiveTimeout() {
        assertThrows(IllegalArgumentException.class, () -> LabOptions.defaults().withCommandTimeout(Duration.ZERO));
    }

    @Test
    void rejectsAPrefixThatIsNoSafeNamespaceName() {
        for (String prefix : new String[] {"", "-lead", "Upper", "a b", "../etc", "a".repeat(25)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Lab.create(prefix, LabOptions.defaults()), prefix);
            assertTrue(e.getMessage().contains("lab prefix"), e.getMessage());
        }
    }
}
