package org.quietbridge.lab;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The offload features that {@code ethtool -k DEV} reports, by name.
 *
 * <p>ethtool prints one feature a line, sub-features indented by a tab, each followed by
 * {@code on} or {@code off} and optionally a bracketed note ({@code [fixed]},
 * {@code [requested on]}):
 * <pre>
 * Features for eth0:
 * tx-checksumming: off
 * 	tx-checksum-ip-generic: off
 * tcp-segmentation-offload: off
 * generic-segmentation-offload: off
 * </pre>
 * The note is not kept: what the device does now is the state before it.
 */
public record EthtoolFeatures(Map<String, Boolean> states) {
    private static final Pattern FEATURE = Pattern.compile("^\\s*([a-z0-9_-]+): (on|off)(?: \\[[^]]*])?\\s*$");

    public EthtoolFeatures {
        states = Map.copyOf(states);
    }

    /** Reads the output of {@code ethtool -k DEV}; lines that state no feature are skipped. */
    public static EthtoolFeatures parse(String ethtoolOutput) {
        Map<String, Boolean> states = new LinkedHashMap<>();
        for (String line : ethtoolOutput.lines().toList()) {
            Matcher matcher = FEATURE.matcher(line);
            if (matcher.matches()) {
                states.put(matcher.group(1), matcher.group(2).equals("on"));
            }
        }
        return new EthtoolFeatures(states);
    }

    /**
     * Whether {@code feature} is on.
     *
     * @throws IllegalArgumentException when ethtool did not report that feature
     */
    public boolean isOn(String feature) {
        Boolean on = states.get(feature);
        if (on == null) {
            throw new IllegalArgumentException("ethtool -k reported no feature named " + feature);
        }
        return on;
    }
}
