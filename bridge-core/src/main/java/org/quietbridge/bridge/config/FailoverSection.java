package org.quietbridge.bridge.config;

import java.util.List;

import org.quietbridge.bridge.failover.FailoverSettings;
import org.quietbridge.rules.ConfigNode;

/** The {@code failover:} section. */
final class FailoverSection {
    private FailoverSection() {
    }

    /**
     * {@code failover: kernel} (the default) or {@code off}, or {@code {mode: kernel, timeout: 200}} (ms
     * the kernel waits before it stands in).
     */
    static FailoverSettings read(ConfigNode node) {
        if (node == null || node.isNull()) {
            return FailoverSettings.defaults();
        }
        List<String> modes = List.of("kernel", "off");
        if (node.isScalar()) {
            return node.expectWord("failover", modes).equals("kernel") ? FailoverSettings.defaults()
                    : FailoverSettings.off();
        }
        node.expectMapping("'failover'");
        node.checkKeys("in failover", List.of("mode", "timeout"));
        boolean kernel = true;
        ConfigNode mode = node.get("mode");
        if (mode != null) {
            kernel = mode.expectWord("failover.mode", modes).equals("kernel");
        }
        int timeout = FailoverSettings.DEFAULT_TIMEOUT_MILLIS;
        ConfigNode timeoutNode = node.get("timeout");
        if (timeoutNode != null) {
            timeout = timeoutNode.expectInt("failover.timeout (ms)", FailoverSettings.MIN_TIMEOUT_MILLIS,
                    FailoverSettings.MAX_TIMEOUT_MILLIS);
        }
        return new FailoverSettings(kernel, timeout);
    }
}
