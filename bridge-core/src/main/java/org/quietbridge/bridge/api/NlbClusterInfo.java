package org.quietbridge.bridge.api;

import java.util.List;

/**
 * A Microsoft NLB cluster the bridge contains, and what containment did with its frames.
 *
 * @param clusterIp the cluster's IPv4 address, dotted quad
 * @param vlan the VLAN it lives on, or -1 untagged: the same IP on two VLANs is two clusters
 * @param mac the cluster MAC (02:bf:..., 03:bf:... or 01:00:5e:7f:...)
 * @param mode "unicast", "multicast" or "igmp"
 * @param memberPorts the ports the cluster lives on now
 * @param isStatic the location comes from the configuration, not from learning
 * @param contained frames for the cluster kept off ports where it does not live
 * @param forwarded frames for the cluster sent to member ports
 * @param floodedUnknown frames for the cluster flooded because no member port was known yet
 * @param moves times the learned location changed
 */
public record NlbClusterInfo(String clusterIp, int vlan, String mac, String mode, List<String> memberPorts,
        boolean isStatic, long contained, long forwarded, long floodedUnknown, long moves) {

    public NlbClusterInfo {
        memberPorts = List.copyOf(memberPorts);
    }
}
