/**
 * The YAML rule language and the compiled matcher.
 *
 * <h2>File</h2>
 *
 * <pre>{@code
 * mode: enforce            # enforce | monitor (monitor turns every drop into a count); default enforce
 * subnets: [10.8.0.0/16]   # prefixes whose directed broadcast ipv4_dst_class recognises; default none
 * rules:                   # ordered, first match wins, no match forwards;
 *   - name: my-rule        #   absent: the shipped default rules; [] or empty: an error
 *     match: {...}         # optional; absent or empty matches every frame
 *     action: drop         # drop | forward | count (count, then forward)
 * }</pre>
 *
 * <h2>Match keys</h2>
 *
 * All optional; AND across keys, OR within a key's list; every list key also takes a single
 * value; an empty list is an error (it would match nothing).
 *
 * <table>
 *   <caption>Match keys</caption>
 *   <tr><th>key</th><th>values</th><th>tested against</th></tr>
 *   <tr><td>ingress</td><td>port names</td><td>the arrival port</td></tr>
 *   <tr><td>vlan</td><td>VID 0..4095, range {@code 100-199}, {@code untagged}</td>
 *       <td>{@code FrameView.vlanId()}, the outermost tag (in-frame or stripped by the kernel)</td></tr>
 *   <tr><td>inner_vlan</td><td>as vlan</td><td>{@code FrameView.innerVlanId()}, the innermost tag</td></tr>
 *   <tr><td>ethertype</td><td>number (decimal or {@code 0x0806}), ipv4, arp, ipv6, llc</td>
 *       <td>the type after the tags; llc is an 802.3 length field</td></tr>
 *   <tr><td>l2_dst</td><td>unicast, broadcast, multicast</td><td>the destination MAC</td></tr>
 *   <tr><td>ipv4_src, ipv4_dst</td><td>{@code a.b.c.d/n} or {@code a.b.c.d}</td><td>IPv4 addresses</td></tr>
 *   <tr><td>ipv4_dst_class</td><td>limited-broadcast, directed-broadcast, all-ones-host, multicast,
 *       unicast; broadcast = the three broadcast kinds</td>
 *       <td>{@code FrameView.ipv4DestinationClass(subnets)}</td></tr>
 *   <tr><td>ip_protocol</td><td>0..255, udp, tcp, icmp, igmp</td><td>the IPv4 protocol</td></tr>
 *   <tr><td>src_port, dst_port</td><td>0..65535, range {@code 1000-2000}</td>
 *       <td>UDP/TCP ports; only frames with {@code FrameView.hasPorts()} (never later fragments)</td></tr>
 *   <tr><td>nlb</td><td>unicast, multicast, igmp</td><td>{@code FrameView.nlbDestination()}</td></tr>
 *   <tr><td>fragment</td><td>unfragmented, first, later</td><td>IPv4 fragment position</td></tr>
 *   <tr><td>malformed</td><td>true, false</td><td>{@code FrameView.malformed()}</td></tr>
 * </table>
 *
 * Every IPv4 key (ipv4_*, ip_protocol, ports, fragment) implies a decoded IPv4 header. Words
 * are case-insensitive.
 *
 * <h2>Errors</h2>
 *
 * Every problem is a {@link org.quietbridge.rules.ConfigException} whose message is
 * {@code file:line:column: message}, at the node at fault. The YAML layer
 * ({@link org.quietbridge.rules.YamlDocument}, {@link org.quietbridge.rules.ConfigNode}) is public
 * so that the bridge configuration can reuse it, with
 * {@link org.quietbridge.rules.RuleSetLoader#read} reading its mode, subnets and rules.
 */
package org.quietbridge.rules;
