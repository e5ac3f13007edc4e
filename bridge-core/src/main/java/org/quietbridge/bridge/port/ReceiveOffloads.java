package org.quietbridge.bridge.port;

import java.io.IOException;

import org.quietbridge.bridge.sys.Errno;
import org.quietbridge.bridge.sys.EthtoolValue;
import org.quietbridge.bridge.sys.NativeException;
import org.quietbridge.bridge.sys.NetDeviceControl;

/**
 * Sets GRO and LRO on a port's interface as the port needs them, and remembers what it changed so the
 * port can put it back when it closes.
 *
 * <p>Why (docs/ARCHITECTURE.md, "Offloads"):
 * <ul>
 *   <li>LRO is always turned off. It merges segments in the NIC in ways that cannot be cut again
 *       exactly; the kernel's own bridge and router turn it off too (net/core/dev.c dev_disable_lro).</li>
 *   <li>GRO is turned on for a port that carries virtio-net headers: merged super-frames reach the bridge
 *       with their segment size and leave to be cut again on egress, so one decision and one copy serve
 *       up to 45 frames. Measured on the lab, TCP between hosts without offloads went from 1.8-2.7 to
 *       6.1-6.2 Gbit/s (bench/README.md, "GRO on the ports"). On a veth, only turning GRO on (off to on)
 *       starts the NAPI instance that does it (drivers/net/veth.c veth_set_features).</li>
 *   <li>GRO is turned off for a port without them, which would have to drop what it merges.</li>
 * </ul>
 * Uses the legacy SIOCETHTOOL commands (ETHTOOL_GGRO/SGRO, ETHTOOL_GFLAGS/SFLAGS with ETH_FLAG_LRO),
 * which every kernel since 2.6.30 still supports. Hardware GRO ({@code rx-gro-hw}) is a separate feature
 * bit that these commands do not reach.
 */
final class ReceiveOffloads {
    private final String ifname;
    /** GRO as it was before, and whether it was changed. */
    private final boolean groBefore;
    private final boolean groChanged;
    private final boolean lroWasOn;

    private ReceiveOffloads(String ifname, boolean groBefore, boolean groChanged, boolean lroWasOn) {
        this.ifname = ifname;
        this.groBefore = groBefore;
        this.groChanged = groChanged;
        this.lroWasOn = lroWasOn;
    }

    /**
     * Turns GRO to {@code gro} and LRO off where they are not, and checks they stay so. Refuses with one
     * line that names the ethtool command when it cannot (typically EPERM: no CAP_NET_ADMIN).
     */
    static ReceiveOffloads apply(NetDeviceControl control, String ifname, boolean gro) throws IOException {
        boolean groBefore = gro;
        boolean groChanged = false;
        boolean lroWasOn = false;
        try {
            groBefore = control.gro(ifname);
            if (groBefore != gro) {
                control.setGro(ifname, gro);
                groChanged = true;
                if (control.gro(ifname) != gro) {
                    throw refusal(ifname, gro, "GRO is still " + onOff(!gro) + " after ETHTOOL_SGRO", null);
                }
            }
            int flags = control.ethtoolFlags(ifname);
            lroWasOn = (flags & EthtoolValue.ETH_FLAG_LRO) != 0;
            if (lroWasOn) {
                control.setEthtoolFlags(ifname, flags & ~EthtoolValue.ETH_FLAG_LRO);
                if ((control.ethtoolFlags(ifname) & EthtoolValue.ETH_FLAG_LRO) != 0) {
                    throw refusal(ifname, gro, "LRO is still on after ETHTOOL_SFLAGS", null);
                }
            }
            return new ReceiveOffloads(ifname, groBefore, groChanged, lroWasOn);
        } catch (NativeException e) {
            new ReceiveOffloads(ifname, groBefore, groChanged, false).restoreQuietly(control);
            throw refusal(ifname, gro, e.getMessage(), e);
        } catch (IOException e) {
            new ReceiveOffloads(ifname, groBefore, groChanged, lroWasOn).restoreQuietly(control);
            throw e;
        }
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }

    private static IOException refusal(String ifname, boolean gro, String reason, NativeException cause) {
        String hint = cause != null && (cause.errno() == Errno.EPERM || cause.errno() == Errno.EACCES)
                ? " (changing offloads needs CAP_NET_ADMIN)" : "";
        String why = gro ? "a bridge carrying offloads wants GRO on and LRO off"
                : "a bridge must not forward merged super-frames";
        return new IOException("cannot turn GRO " + onOff(gro) + " and LRO off on " + ifname + hint + ": " + reason
                + "; " + why + ", set them with: ethtool -K " + ifname + " gro " + onOff(gro) + " lro off", cause);
    }

    /** Whether GRO was on before, and this turned it off (close turns it back on). */
    boolean turnedGroOff() {
        return groChanged && groBefore;
    }

    /** Whether GRO was off before, and this turned it on (close turns it back off). */
    boolean turnedGroOn() {
        return groChanged && !groBefore;
    }

    /** Puts back what {@link #apply} changed. An interface that is gone (ENODEV) needs nothing. */
    void restore(NetDeviceControl control) throws NativeException {
        try {
            if (groChanged) {
                control.setGro(ifname, groBefore);
            }
            if (lroWasOn) {
                control.setEthtoolFlags(ifname, control.ethtoolFlags(ifname) | EthtoolValue.ETH_FLAG_LRO);
            }
        } catch (NativeException e) {
            if (e.errno() != Errno.ENODEV) {
                throw e;
            }
        }
    }

    private void restoreQuietly(NetDeviceControl control) {
        try {
            restore(control);
        } catch (NativeException ignored) {
            // Best effort while already failing; the original failure is what the caller reports.
        }
    }
}
