package org.quietbridge.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;

import org.junit.jupiter.api.Test;

class PortLockTest {

    @Test
    void aSecondBridgeOnTheSamePortIsRefusedWithTheOwnersPid() throws IOException {
        String port = "qbtest" + ProcessHandle.current().pid();
        PortLock first = PortLock.acquire(port);
        try {
            IOException e = assertThrows(IOException.class, () -> PortLock.acquire(port));
            assertEquals(port + " is already bridged by another quietbridge (pid " + ProcessHandle.current().pid()
                    + "); stop it first", e.getMessage());
        } finally {
            first.close();
        }
        // Released on close: the port can be taken again, and a lock on another port is independent.
        PortLock again = PortLock.acquire(port);
        PortLock other = PortLock.acquire(port + "x");
        again.close();
        other.close();
        again.close(); // idempotent
    }
}
