package org.quietbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class ProcessAgeTest {
    /** A stat line whose command name holds a space and a parenthesis, started 1234.56 s after boot. */
    private static final String STAT = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 30 0 "
            + "123456 1000000 200 18446744073709551615 0 0 0 0 0 0 0 4096 0 0 0 17 1 0 0 0 0 0";

    @Test
    void countsFromTheStartTicksToTheUptime() {
        assertEquals(OptionalLong.of(3_450), ProcessAge.millis("1238.01 900.00\n", STAT));
    }

    @Test
    void saysNothingForWhatItCannotRead() {
        assertEquals(OptionalLong.empty(), ProcessAge.millis("1238.01 900.00", "4242 no parenthesis"));
        assertEquals(OptionalLong.empty(), ProcessAge.millis("1238.01 900.00", "4242 (java) S 1 2"));
        assertEquals(OptionalLong.empty(), ProcessAge.millis("1000.00 900.00", STAT), "started after now");
    }

    @Test
    void thisProcessIsAsOldAsItsJvmAndNotMuchOlder() {
        long jvm = ManagementFactory.getRuntimeMXBean().getUptime();
        long age = ProcessAge.millis().orElseThrow();
        long jvmAfter = ManagementFactory.getRuntimeMXBean().getUptime();
        assertTrue(age >= jvm - 20, age + " ms old, the JVM " + jvm + " ms");
        assertTrue(age <= jvmAfter + 2_000, age + " ms old, the JVM " + jvmAfter + " ms");
    }
}
