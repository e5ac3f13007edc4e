package org.quietbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;

class ErrorLogTest {
    private static final long SEC = 1_000_000_000L;

    @Test
    void aRepeatedErrorIsLoggedOncePerIntervalWithTheCountHeldBack() {
        StringWriter out = new StringWriter();
        long[] now = {0};
        ErrorLog log = new ErrorLog(new PrintWriter(out), () -> now[0], 10 * SEC);
        IOException down = new IOException("sendto(fd=7): ENETDOWN (100, Network is down)");
        for (int i = 0; i < 1500; i++) { // one every 10 ms for 15 s
            log.accept(down);
            now[0] += SEC / 100;
        }
        log.accept(new IOException("poll: EBADF"));
        String error = "quietbridge: data plane error (forwarding continues): java.io.IOException: ";
        String repeated = "quietbridge: data plane error repeated ";
        assertEquals(List.of(
                error + "sendto(fd=7): ENETDOWN (100, Network is down)",
                repeated + "999 more times: java.io.IOException: sendto(fd=7): ENETDOWN (100, Network is down)",
                error + "sendto(fd=7): ENETDOWN (100, Network is down)",
                repeated + "499 more times: java.io.IOException: sendto(fd=7): ENETDOWN (100, Network is down)",
                error + "poll: EBADF"), out.toString().lines().toList());
    }
}
