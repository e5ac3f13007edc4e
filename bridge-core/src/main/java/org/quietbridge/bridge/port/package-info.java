/**
 * Port I/O of the data plane: {@link org.quietbridge.bridge.port.FramePort}, the contract the
 * forwarding agent drives; {@link org.quietbridge.bridge.port.PacketRingPort}, a Linux interface
 * through AF_PACKET TPACKET_V2 rings; {@link org.quietbridge.bridge.port.MemoryPort}, the same
 * contract in memory: the synthetic side of the start's warm-up, and the port of tests without root.
 */
package org.quietbridge.bridge.port;
