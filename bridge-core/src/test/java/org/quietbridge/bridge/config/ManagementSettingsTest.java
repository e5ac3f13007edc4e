package org.quietbridge.bridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManagementSettingsTest {

    @Test
    void defaultsToLoopbackPort9700WithoutAToken() {
        ManagementSettings s = ManagementSettings.defaults();
        assertEquals("127.0.0.1", s.host());
        assertEquals(9700, s.port());
        assertNull(s.token());
        assertEquals(64 * 1024, s.maxBodyBytes());
        assertTrue(s.isLoopback());
    }

    @Test
    void parsesHostPortV6AndBarePort() {
        assertEquals(new ManagementSettings("127.0.0.1", 9700, null, 65536), ManagementSettings.parse("127.0.0.1:9700", null));
        assertEquals("::1", ManagementSettings.parse("[::1]:9800", null).host());
        assertEquals(9800, ManagementSettings.parse("[::1]:9800", null).port());
        assertEquals("127.0.0.1", ManagementSettings.parse(":9701", "tok").host());
        assertEquals("tok", ManagementSettings.parse(":9701", "tok").token());
        assertEquals("0.0.0.0", ManagementSettings.parse("0.0.0.0:9700", null).host());
        assertFalse(ManagementSettings.parse("0.0.0.0:9700", null).isLoopback());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:70000", "127.0.0.1:-1", "::1:9700",
        "[::1]9700", "[::1"})
    void refusesListenValuesWithAClearMessage(String listen) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ManagementSettings.parse(listen, null));
        assertTrue(e.getMessage().startsWith("listen: "), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "quote\"", "tab\t", "nön-ascii"})
    void refusesTokensThatCannotTravelInAHeader(String token) {
        assertThrows(IllegalArgumentException.class, () -> ManagementSettings.parse(":9700", token));
    }

    @Test
    void toStringNeverShowsTheToken() {
        String s = ManagementSettings.parse(":9700", "very-secret").toString();
        assertFalse(s.contains("very-secret"), s);
        assertTrue(s.contains("token set"), s);
    }
}
