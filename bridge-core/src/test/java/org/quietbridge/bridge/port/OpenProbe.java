package org.quietbridge.bridge.port;

import java.io.IOException;

/**
 * Opens a {@link PacketRingPort} and prints what happened, for tests that must run the open in a
 * child JVM with fewer privileges. Prints "OPENED" or the exception's message; exits 0 / 1.
 */
public final class OpenProbe {
    private OpenProbe() {
    }

    public static void main(String[] args) {
        try (PacketRingPort port = PacketRingPort.open(args[0])) {
            System.out.println("OPENED " + port);
        } catch (IOException e) {
            System.out.println(e.getMessage());
            System.exit(1);
        }
    }
}
