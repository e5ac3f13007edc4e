package org.quietbridge.bridge.api;

/**
 * One MAC table entry.
 *
 * @param mac lower-case, colon-separated
 * @param vlan the VID, or -1 for untagged frames
 * @param port the name of the port the address was learned on
 * @param isStatic configured, never ages or moves
 * @param ageSeconds seconds since the address was last seen; 0 for static entries
 */
public record FdbEntry(String mac, int vlan, String port, boolean isStatic, double ageSeconds) {
}
