/**
 * End-to-end tests: the real {@code bin/quietbridge run} in a namespace lab, real traffic, and
 * what a user would check on the wire and in the bridge's output. This package is the kit the tests
 * share; the tests are grouped by capability: {@code forwarding} (transparency, learning, offloads,
 * TCP, malformed frames, ring drops), {@code filtering} (NetBIOS, nmbd, scoped rules, NLB),
 * {@code failover} (the kernel's stand-in, ports that vanish, the warm start) and {@code operations}
 * (lifecycle, start-up errors, reload, stats, the API, the dashboard, the lab, its demo and the campus lab).
 *
 * <ul>
 *   <li>Run: {@code mvn -B verify -Dquietbridge.e2e=true} as root (without the property, or
 *       without root, these tests are skipped). One class:
 *       {@code mvn -B verify -Dquietbridge.e2e=true -pl integration-tests -am -DskipITs
 *       -Dtest=NetbiosBroadcastFilterTest -Dsurefire.failIfNoSpecifiedTests=false} ({@code -am}
 *       so that the bridge under test is this tree's, not whatever is in the local repository).</li>
 *   <li>Each class states its lab with {@link org.quietbridge.it.LabTest} ({@link org.quietbridge.it.LabFixture},
 *       namespaces {@code qbit-<pid>-<name>-*}) and, where it can, runs one bridge
 *       ({@link org.quietbridge.it.BridgeProcess}) for all its tests; tests that read the exit
 *       summary run last ({@code @Order}). {@link org.quietbridge.it.LabExtension} removes the lab after
 *       the class, failed or not.</li>
 *   <li>Frames are crafted ({@code FrameBuilder}), sent raw from a host
 *       ({@link org.quietbridge.it.FrameSender}), and found again by a marker in tcpdump
 *       captures of what each host receives ({@link org.quietbridge.it.Capture},
 *       {@link org.quietbridge.it.Wire}).</li>
 *   <li>The running bridge's management API (127.0.0.1:9700 inside the bridge namespace) is
 *       reached from there too ({@link org.quietbridge.it.ManagementApi}, Python's http.client
 *       under {@code ip netns exec}), and so are {@code quietbridge stats|reload} and headless
 *       Chromium; steady background load is a paced stream of numbered frames
 *       ({@link org.quietbridge.it.TrafficStream}) whose every number is checked in a capture.</li>
 *   <li>Nothing waits a fixed time: every wait is for a condition with a deadline
 *       ({@link org.quietbridge.it.Await}); that a frame did <em>not</em> cross is judged once a
 *       barrier frame sent behind it has crossed.</li>
 *   <li>Logs, configurations, captures and scripts stay in
 *       {@code integration-tests/target/e2e/<name>/} for a post-mortem.</li>
 * </ul>
 */
package org.quietbridge.it;
