package org.quietbridge.bridge.port;

import java.io.IOException;

import org.quietbridge.bridge.sys.Errno;
import org.quietbridge.bridge.sys.EthtoolValue;
import org.quietbridge.bridge.sys.NativeException;
import org.quietbridge.bridge.sys.NetDeviceControl;

/**
 * Turns GRO and LRO off on a port's interface, and remembers what it changed so the port can put it
 * back when it closes.
 *
 * <p>Why: GRO/LRO merge received segments into super-frames larger than the MTU that never were on a
 * wire; forwarded as-is they are truncated or refused on the far side (ARCHITECTURE.md, kernel fact 3).
 * Uses the legacy SIOCETHTOOL commands (ETHTOOL_GGRO/SGRO, ETHTOOL_GFLAGS/SFLAGS with ETH_FLAG_LRO),
 * which every kernel since 2.6.30 still supports. Hardware GRO ({@code rx-gro-hw}) is a separate
 * feature bit that these commands do not reach.
 */
final class ReceiveOffloads {
    private final String ifname;
    private final boolean groWasOn;
    private final boolean lroWasOn;

    private ReceiveOffloads(String ifname, boolean groWasOn, boolean lroWasOn) {
        this.ifname = ifname;
        this.groWasOn = groWasOn;
        this.lroWasOn = lroWasOn;
    }

    /**
     * Turns GRO and LRO off if they are on, and checks they stay off. Refuses with one line that names
     * the ethtool command when it cannot (typically EPERM: no CAP_NET_ADMIN).
     */
    static ReceiveOffloads disable(NetDeviceControl control, String ifname) throws IOException {
        boolean groWasOn = false;
        boolean lroWasOn = false;
        try {
            groWasOn = control.gro(ifname);
            if (groWasOn) {
                control.setGro(ifname, false);
                if (control.gro(ifname)) {
                    throw refusal(ifname, "GRO is still on after ETHTOOL_SGRO", null);
                }
            }
            int flags = control.ethtoolFlags(ifname);
            lroWasOn = (flags & EthtoolValue.ETH_FLAG_LRO) != 0;
            if (lroWasOn) {
                control.setEthtoolFlags(ifname, flags & ~EthtoolValue.ETH_FLAG_LRO);
                if ((control.ethtoolFlags(ifname) & EthtoolValue.ETH_FLAG_LRO) != 0) {
                    throw refusal(ifname, "LRO is still on after ETHTOOL_SFLAGS", null);
                }
            }
            return new ReceiveOffloads(ifname, groWasOn, lroWasOn);
        } catch (NativeException e) {
            new ReceiveOffloads(ifname, groWasOn, false).restoreQuietly(control);
            throw refusal(ifname, e.getMessage(), e);
        } catch (IOException e) {
            new ReceiveOffloads(ifname, groWasOn, lroWasOn).restoreQuietly(control);
            throw e;
        }
    }

    private static IOException refusal(String ifname, String reason, NativeException cause) {
        String hint = cause != null && (cause.errno() == Errno.EPERM || cause.errno() == Errno.EACCES)
                ? " (changing offloads needs CAP_NET_ADMIN)" : "";
        return new IOException("cannot turn off GRO/LRO on " + ifname + hint + ": " + reason
                + "; a bridge must not forward merged super-frames, turn them off with: ethtool -K "
                + ifname + " gro off lro off", cause);
    }

    boolean groWasOn() {
        return groWasOn;
    }

    boolean lroWasOn() {
        return lroWasOn;
    }

    /**
     * Turns back on what {@link #disable} turned off. An interface that is gone (ENODEV) needs nothing.
     */
    void restore(NetDeviceControl control) throws NativeException {
        try {
            if (groWasOn) {
                control.setGro(ifname, true);
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
