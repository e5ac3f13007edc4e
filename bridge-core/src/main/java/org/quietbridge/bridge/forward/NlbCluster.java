package org.quietbridge.bridge.forward;

import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.Ipv4;

/**
 * One NLB cluster as the control plane sees it (a copy; see {@link NlbContainment#clusters()}).
 *
 * @param ip the cluster IPv4 address
 * @param vlan the VLAN it lives on, -1 untagged
 * @param mac the cluster MAC: the one its ARP announced, else the one first seen or configured
 * @param memberPorts bit i = port i; 0 while the location is unknown
 * @param isStatic pinned by the configuration
 */
public record NlbCluster(int ip, int vlan, long mac, long memberPorts, boolean isStatic, long contained,
        long forwarded, long floodedUnknown, long moves) {

    public long counter(NlbClusterCounter c) {
        return switch (c) {
            case CONTAINED -> contained;
            case FORWARDED -> forwarded;
            case FLOODED_UNKNOWN -> floodedUnknown;
            case MOVES -> moves;
        };
    }

    public boolean located() {
        return memberPorts != 0;
    }

    @Override
    public String toString() {
        return "NlbCluster[" + Ipv4.format(ip) + (vlan < 0 ? "" : " vlan " + vlan) + " " + Ethernet.formatMac(mac)
                + " ports 0x" + Long.toHexString(memberPorts) + (isStatic ? " static" : "") + " contained=" + contained
                + " forwarded=" + forwarded + " flooded_unknown=" + floodedUnknown + " moves=" + moves + "]";
    }
}
