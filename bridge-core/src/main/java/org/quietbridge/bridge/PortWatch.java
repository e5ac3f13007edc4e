package org.quietbridge.bridge;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.quietbridge.bridge.config.RingSettings;
import org.quietbridge.bridge.failover.KernelFallback;
import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.bridge.forward.PortCounter;
import org.quietbridge.bridge.forward.PortState;
import org.quietbridge.bridge.port.AbsentPort;
import org.quietbridge.bridge.port.FramePort;
import org.quietbridge.bridge.port.PacketRingPort;
import org.quietbridge.bridge.port.PollIdleStrategy;
import org.quietbridge.bridge.port.RingGeometry;
import org.quietbridge.bridge.sys.Ifreq;
import org.quietbridge.bridge.sys.LinuxSyscalls;
import org.quietbridge.bridge.sys.NativeException;
import org.quietbridge.bridge.sys.NetDeviceControl;

/**
 * Watches the ports' interfaces from a control thread of its own, every {@value #INTERVAL_MILLIS} ms
 * (docs/ARCHITECTURE.md, "Ports that vanish"):
 * <ul>
 *   <li><b>Vanished.</b> When a port's interface is deleted (or replaced by another of its name: a new
 *       ifindex), an {@link AbsentPort} takes its place in the data plane, which then counts the frames
 *       for it as {@code drop_port_gone}; the old socket and rings are closed.</li>
 *   <li><b>Back.</b> When an interface of that name exists again, and is up, the port is opened on it
 *       (ring, offloads and GRO set again, as at start) and takes the absent port's place: forwarding
 *       resumes without a restart. The kernel's stand-in is written again, as its {@code fwd to} rules
 *       name devices by ifindex.</li>
 *   <li><b>Carrier</b> ({@code link_state: propagate}). When a port loses carrier, every other port is
 *       set administratively down, so the device on its far side sees its link drop and fails over;
 *       when the carrier returns, they are set up again. Ports it set down come back up when the bridge
 *       stops.</li>
 * </ul>
 * Every event is logged (one line), counted on its port ({@link PortCounter#VANISHED},
 * {@link PortCounter#REOPENED}, {@link PortCounter#CARRIER_LOST}, {@link PortCounter#HELD_DOWN}), and
 * shown as the port's {@link PortState}.
 */
final class PortWatch implements AutoCloseable {
    static final long INTERVAL_MILLIS = 100;
    /** How long a port set up again has to find its carrier before its loss counts. */
    private static final long CARRIER_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** How long a port swap may wait for the data plane. */
    private static final long SWAP_LIMIT_MILLIS = 5_000;

    private final BridgeAgent agent;
    private final PollIdleStrategy poller;
    private final KernelFallback fallback;
    private final RingGeometry geometry;
    private final RingSettings ring;
    private final int mtu;
    private final boolean propagate;
    private final Consumer<String> log;
    private final String[] names;
    /** The ifindex of the interface each port is open on; 0 while it is gone. */
    private final int[] ifindex;
    private final boolean[] carrier;
    /** The port whose carrier loss set this one down, or -1. */
    private final int[] heldDownBy;
    /**
     * Until when (nanoTime) a port this watch set up again is left to find its carrier (autonegotiation
     * takes seconds on a physical NIC) before its own carrier loss counts.
     */
    private final long[] graceUntil;
    /** What was last logged about a port that could not be opened again, so it is logged once. */
    private final String[] waiting;
    /** The watch thread's own (its memory is confined to the thread that made it). */
    private NetDeviceControl control;
    private Thread thread;
    private volatile boolean stopping;

    PortWatch(BridgeAgent agent, List<PacketRingPort> ports, PollIdleStrategy poller, KernelFallback fallback,
            RingGeometry geometry, RingSettings ring, int mtu, boolean propagate, Consumer<String> log)
            throws NativeException {
        this.agent = agent;
        this.poller = poller;
        this.fallback = fallback;
        this.geometry = geometry;
        this.ring = ring;
        this.mtu = mtu;
        this.propagate = propagate;
        this.log = log;
        int n = ports.size();
        this.names = new String[n];
        this.ifindex = new int[n];
        this.carrier = new boolean[n];
        this.heldDownBy = new int[n];
        this.waiting = new String[n];
        this.graceUntil = new long[n];
        Arrays.fill(heldDownBy, -1);
        try (NetDeviceControl opening = new NetDeviceControl()) {
            for (int i = 0; i < n; i++) {
                names[i] = ports.get(i).name();
                ifindex[i] = ports.get(i).ifindex();
                carrier[i] = running(opening, names[i]);
            }
        }
    }

    /** Starts the watch thread. */
    void start() {
        thread = new Thread(this::run, "quietbridge-ports");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            control = new NetDeviceControl();
        } catch (NativeException e) {
            log.accept("port watch: " + e.getMessage() + "; interfaces that vanish are not noticed");
            return;
        }
        while (!stopping) {
            try {
                check();
            } catch (RuntimeException e) {
                log.accept("port watch: " + e); // the next round tries again
            }
            try {
                Thread.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                break;
            }
        }
        try {
            control.close();
        } catch (NativeException ignored) {
            // Nothing is left to do with the socket.
        }
    }

    /** One round: every port's interface, then carriers. */
    void check() {
        for (int i = 0; i < names.length; i++) {
            int now;
            try {
                now = LinuxSyscalls.ifNameToIndex(names[i]);
            } catch (NativeException e) {
                continue;
            }
            if (ifindex[i] != 0 && now != ifindex[i]) {
                vanish(i, now);
            }
            if (ifindex[i] == 0 && now != 0) {
                reopen(i, now);
            }
        }
        boolean[] running = new boolean[names.length];
        for (int i = 0; i < names.length; i++) {
            running[i] = ifindex[i] != 0 && running(control, names[i]);
        }
        if (propagate) {
            propagateCarrier(running);
        }
        for (int i = 0; i < names.length; i++) {
            carrier[i] = running[i];
            agent.portState(i, ifindex[i] == 0 ? PortState.GONE : heldDownBy[i] >= 0 ? PortState.HELD_DOWN
                    : running[i] ? PortState.UP : PortState.NO_CARRIER);
        }
    }

    private static boolean running(NetDeviceControl control, String name) {
        try {
            return (control.flags(name) & Ifreq.IFF_RUNNING) != 0;
        } catch (NativeException e) {
            return false;
        }
    }

    private void vanish(int i, int now) {
        FramePort old;
        try {
            old = swap(i, AbsentPort.of(agent.port(i)), null, PortCounter.VANISHED);
        } catch (IOException e) {
            log.accept("port " + names[i] + ": its interface is gone, and " + e.getMessage());
            return;
        }
        try {
            old.close();
        } catch (RuntimeException e) {
            // Its interface is gone; what it could not restore went with it.
        }
        log.accept("port " + names[i] + ": its interface (ifindex " + ifindex[i] + ") is "
                + (now == 0 ? "gone" : "replaced by ifindex " + now) + "; frames to it are dropped (drop_port_gone)"
                + " until an interface named " + names[i] + " is back and up");
        ifindex[i] = 0;
        heldDownBy[i] = -1;
        waiting[i] = null;
    }

    private void reopen(int i, int now) {
        PacketRingPort port;
        try {
            port = PacketRingPort.open(names[i], geometry, ring.version(), ring.blockTimeout(), ring.offloads());
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage();
            if (!why.equals(waiting[i])) {
                waiting[i] = why;
                log.accept("port " + names[i] + ": an interface of its name is back (ifindex " + now
                        + "), but it cannot be opened yet: " + why + "; trying again every " + INTERVAL_MILLIS + " ms");
            }
            return;
        }
        try {
            swap(i, port, port, PortCounter.REOPENED);
        } catch (IOException e) {
            port.close();
            log.accept("port " + names[i] + ": its interface is back, and " + e.getMessage());
            return;
        }
        ifindex[i] = port.ifindex();
        waiting[i] = null;
        log.accept("port " + names[i] + ": its interface is back (ifindex " + port.ifindex() + "); forwarding through"
                + " it again" + (port.mtu() == mtu ? "" : " (mtu " + port.mtu() + ", the bridge's is " + mtu
                + ": larger frames are dropped as drop_too_big)"));
        if (fallback != null) {
            try {
                fallback.reinstall();
            } catch (IOException e) {
                log.accept(e.getMessage() + "; the kernel cannot stand in for " + names[i] + " until a restart");
            }
        }
    }

    /**
     * Puts {@code next} in port {@code i}'s place on the data-plane thread, with {@code polled} as what
     * the blocking idle waits on (null: nothing), counts {@code event}, and returns the port it replaced.
     */
    private FramePort swap(int i, FramePort next, PacketRingPort polled, PortCounter event) throws IOException {
        CompletableFuture<FramePort> replaced = new CompletableFuture<>();
        if (!agent.submit(() -> {
            FramePort old = agent.replacePort(i, next);
            if (poller != null) {
                poller.replace(i, polled);
            }
            agent.countPortEvent(i, event);
            replaced.complete(old);
        })) {
            throw new IOException("the data plane's command queue is full: the port was not swapped");
        }
        try {
            return replaced.get(SWAP_LIMIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the data plane did not swap the port within " + SWAP_LIMIT_MILLIS + " ms");
        } catch (ExecutionException e) {
            throw new IOException("swapping the port failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while swapping the port", e);
        }
    }

    /**
     * {@code link_state: propagate}: a port that lost carrier (and was not set down by this watch) sets
     * every other port down; one whose carrier came back sets up the ports it had set down.
     */
    private void propagateCarrier(boolean[] running) {
        long now = System.nanoTime();
        for (int i = 0; i < names.length; i++) {
            if (graceUntil[i] != 0) {
                if (running[i]) {
                    graceUntil[i] = 0; // it found its carrier
                    continue;
                }
                if (now - graceUntil[i] < 0) {
                    running[i] = true; // still finding it: not a loss yet
                    continue;
                }
                graceUntil[i] = 0; // it found none: a loss, below (it counted as running until now)
            }
            if (ifindex[i] == 0 || heldDownBy[i] >= 0 || running[i] == carrier[i]) {
                continue;
            }
            if (!running[i]) {
                count(i, PortCounter.CARRIER_LOST);
                StringBuilder down = new StringBuilder();
                for (int j = 0; j < names.length; j++) {
                    if (j == i || ifindex[j] == 0 || heldDownBy[j] >= 0) {
                        continue;
                    }
                    try {
                        control.setUp(names[j], false);
                    } catch (NativeException e) {
                        log.accept("link_state: could not set " + names[j] + " down: " + e.getMessage());
                        continue;
                    }
                    heldDownBy[j] = i;
                    running[j] = false;
                    count(j, PortCounter.HELD_DOWN);
                    down.append(down.isEmpty() ? "" : ", ").append(names[j]);
                }
                log.accept("link_state: " + names[i] + " lost carrier"
                        + (down.isEmpty() ? "" : "; set " + down + " down until it returns"));
            } else {
                String up = release(i);
                log.accept("link_state: " + names[i] + " has carrier again" + (up.isEmpty() ? "" : "; set " + up + " up"));
            }
        }
    }

    /**
     * Sets up the ports that port {@code i}'s carrier loss set down, and gives them a grace period to find
     * their carrier; returns their names.
     */
    private String release(int i) {
        StringBuilder up = new StringBuilder();
        for (int j = 0; j < names.length; j++) {
            if (heldDownBy[j] != i) {
                continue;
            }
            heldDownBy[j] = -1;
            graceUntil[j] = System.nanoTime() + CARRIER_GRACE_NANOS;
            try {
                control.setUp(names[j], true);
                up.append(up.isEmpty() ? "" : ", ").append(names[j]);
            } catch (NativeException e) {
                log.accept("link_state: could not set " + names[j] + " up again: " + e.getMessage()
                        + " (ip link set " + names[j] + " up)");
            }
        }
        return up.toString();
    }

    private void count(int i, PortCounter event) {
        agent.submit(() -> agent.countPortEvent(i, event));
    }

    /** Stops the thread, and sets up again every port it set down: a stopped bridge holds no link down. */
    @Override
    public void close() {
        stopping = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean held = false;
        for (int i = 0; i < names.length; i++) {
            held |= heldDownBy[i] >= 0;
        }
        if (!held) {
            return;
        }
        try (NetDeviceControl closing = new NetDeviceControl()) {
            control = closing;
            for (int i = 0; i < names.length; i++) {
                if (heldDownBy[i] >= 0) {
                    log.accept("link_state: the bridge stops; " + release(heldDownBy[i]) + " set up again");
                }
            }
        } catch (NativeException e) {
            log.accept("link_state: could not set the held-down ports up again: " + e.getMessage());
        }
    }
}
