package org.quietbridge.bridge.forward;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

import org.quietbridge.bridge.agent.Agent;
import org.quietbridge.bridge.port.FramePort;
import org.quietbridge.bridge.port.Offload;
import org.quietbridge.bridge.port.RxFrame;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.frame.FrameView;
import org.quietbridge.frame.Malformation;
import org.quietbridge.frame.NlbMac;
import org.quietbridge.rules.Action;
import org.quietbridge.rules.CompiledRules;

/**
 * The learning bridge: the one thread that owns the rings, the MAC table and the counters.
 *
 * <p>Per frame: decode once (in place in the RX slot) → learn the source (MAC table, and NLB
 * cluster locations, ARP bindings) → rules (first match) → ARP containment for a broadcast request →
 * NLB containment for a cluster MAC → forwarding
 * decision (known port, filter, or flood) → storm control (a token bucket per ingress port and
 * class) → one copy into each egress TX slot, re-inserting the
 * VLAN tag the kernel stripped → one kick per TX ring per round.
 *
 * <p>Control reaches this thread only through a published rule snapshot (swapped between two
 * rounds) and a bounded command queue; nothing here takes a lock, and the steady state
 * allocates nothing.
 */
public final class BridgeAgent implements Agent {
    /** Most control commands queued at once. */
    public static final int COMMAND_QUEUE_LIMIT = 64;
    /**
     * The clock of a running bridge: System.nanoTime, as one instance, so that the warm-up's agent and the
     * real one call the same class (the JIT compiles the call for the class it saw).
     */
    public static final LongSupplier MONOTONIC = System::nanoTime;
    private static final int SWEEP_SLOTS_PER_ROUND = 64;
    /** Sources of dropped frames tracked for the top-talkers list. */
    public static final int TOP_TALKERS_CAPACITY = 4096;
    /** Dropped frames kept for diagnosis (SIGUSR1 writes them to a pcap). */
    public static final int DROPPED_FRAMES_KEPT = 256;
    private static final int NLB_SWEEP_SLOTS_PER_ROUND = 64;
    /** How often the kernel's ring counters are read: they are 32 bits wide and cleared by reading. */
    static final long RING_STATISTICS_INTERVAL_NANOS = 1_000_000_000L;
    /**
     * How much earlier than its computed expiry the gate is taken to have opened, when frames the kernel
     * forwarded are sorted out of the RX rings: the kernel's expiry runs on jiffies, truncated, and can
     * come up to two ticks early (20 ms at HZ 100); the rest is slack. A frame in that margin is dropped
     * rather than perhaps sent twice.
     */
    static final long TAKEBACK_MARGIN_NANOS = 30_000_000L;
    /** Two take-back windows this close are joined: frames of the first may still wait in the rings. */
    static final long TAKEBACK_JOIN_NANOS = 1_000_000_000L;
    /** How often storm control closes its seconds when no frame of a class comes (a storm that stopped dead). */
    static final long STORM_TICK_NANOS = 100_000_000L;

    private final FramePort[] ports;
    private final CounterArray[] portCounters;
    /** The kernel's ring counters of the ports a port replaced ({@link #replacePort}): its totals go on. */
    private final long[] ringDropsBefore;
    private final long[] ringFreezesBefore;
    private final AtomicReferenceArray<PortState> portStates;
    private final CounterArray fdbCounters = new CounterArray(FdbCounter.values().length);
    private final CounterArray malformed = new CounterArray(Malformation.values().length);
    private final CounterArray load = new CounterArray(LoadCounter.values().length);
    private final CounterArray failover = new CounterArray(FailoverCounter.values().length);
    private ForwardingTable fdb;
    /**
     * NLB flood containment; null when {@code nlb.mode} is off (then nothing about NLB runs).
     * Volatile only for the control plane's readers: a reload may replace it between rounds.
     */
    private volatile NlbContainment nlb;
    private NlbSettings nlbSettings;
    private LinkLocalPolicy linkLocal;
    /**
     * Storm control; null without limits. Volatile only for the control plane's readers: a reload may
     * replace it between rounds.
     */
    private volatile StormControl storm;
    private StormSettings stormSettings;
    /**
     * ARP flood containment; null when {@code arp.mode} is off. Volatile only for the control plane's readers: a
     * reload may replace it between rounds.
     */
    private volatile ArpContainment arp;
    private ArpSettings arpSettings;
    private long nextStormTick;
    private int batchSize;
    private final AtomicReference<CompiledRules> publishedRules;
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedCommands = new AtomicInteger();
    private final LongSupplier clock;
    private final TopTalkers topTalkers = new TopTalkers(TOP_TALKERS_CAPACITY);
    private final DroppedFrames droppedFrames = new DroppedFrames(DROPPED_FRAMES_KEPT);
    /** Datagrams whose first fragment a drop rule matched: their later fragments follow it. */
    private final DroppedDatagrams datagrams = new DroppedDatagrams();
    /** Later fragments that took their datagram's rule (they had none of their own). */
    private final CounterArray followedFragments = new CounterArray(1);
    /** Adds to the monotonic clock to give wall-clock time, for capture timestamps. */
    private final long wallClockOffset;
    private final FrameView view = new FrameView();
    private final RxFrame rx = new RxFrame();
    private final boolean[] pendingFlush;
    private final int[] egress;

    private CompiledRules rules;
    private long now;
    private long nextRingStatistics;
    /** The kernel's stand-in, held from this loop; null when failover is off. */
    private StandbyGate gate;
    private long nextGateHold;
    /** When the last hold took effect (clock nanos), for readers on other threads: opaque. */
    private final AtomicLong gateHeld = new AtomicLong(Long.MIN_VALUE);
    /** When the last hold that took began (before its sendto), on this agent's clock and on the wall clock. */
    private long holdStart = Long.MIN_VALUE;
    private long holdStartWall;
    /** The clock the rings stamp frames with (CLOCK_REALTIME); by default derived from {@link #clock}. */
    private LongSupplier wallClock;
    /** Frames stamped in [takebackFrom, takebackUntil) (wall clock) were forwarded by the kernel. */
    private long takebackFrom = Long.MAX_VALUE;
    private long takebackUntil = Long.MIN_VALUE;
    private volatile boolean released;
    private Watchdog watchdog;
    private long nextWatchdog;
    /** The frame being handled: the wire frames it stands for (a super-frame's segments), and their bytes. */
    private int segments;
    private int headerLength;

    /**
     * @param ports the bridge's ports; index = port number in rules and counters
     * @param rules the first rule set
     * @param clock monotonic nanoseconds ({@link #MONOTONIC}; tests inject their own)
     */
    public BridgeAgent(FramePort[] ports, BridgeSettings settings, CompiledRules rules, LongSupplier clock) {
        if (ports.length < 2) {
            throw new IllegalArgumentException("a bridge needs at least two ports");
        }
        if (ports.length > 64) {
            throw new IllegalArgumentException("at most 64 ports");
        }
        // A FramePort[] of its own, whatever the caller's array type: replacePort stores any port kind.
        this.ports = Arrays.copyOf(ports, ports.length, FramePort[].class);
        this.portCounters = new CounterArray[ports.length];
        this.ringDropsBefore = new long[ports.length];
        this.ringFreezesBefore = new long[ports.length];
        this.portStates = new AtomicReferenceArray<>(ports.length);
        for (int i = 0; i < ports.length; i++) {
            portStates.setPlain(i, PortState.UP);
        }
        for (int i = 0; i < ports.length; i++) {
            portCounters[i] = new CounterArray(PortCounter.values().length);
        }
        this.fdb = ForwardingTable.of(settings, null, 0);
        this.nlb = settings.nlb().mode() == NlbMode.OFF ? null : new NlbContainment(settings.nlb(), ports.length);
        this.nlbSettings = settings.nlb();
        this.linkLocal = settings.linkLocal();
        this.arpSettings = settings.arp();
        this.arp = arpSettings.mode() == ArpMode.OFF ? null : new ArpContainment(arpSettings, null, clock.getAsLong());
        this.stormSettings = settings.storm();
        this.storm = stormSettings.limits().isEmpty() ? null
                : new StormControl(stormSettings, ports.length, clock.getAsLong(), null);
        this.batchSize = settings.batchSize();
        this.rules = rules;
        this.publishedRules = new AtomicReference<>(rules);
        this.clock = clock;
        this.wallClockOffset = System.currentTimeMillis() * 1_000_000L - clock.getAsLong();
        this.wallClock = () -> clock.getAsLong() + wallClockOffset;
        this.pendingFlush = new boolean[ports.length];
        this.egress = new int[ports.length];
    }

    /**
     * Holds {@code standby} from the data plane's loop from the first round on (see {@link StandbyGate});
     * before {@link #doWork()} first runs.
     */
    public void standby(StandbyGate standby) {
        this.gate = standby;
    }

    /**
     * As {@link #standby(StandbyGate)}, reading {@code wallClock} (nanoseconds since the epoch, the clock
     * the kernel stamps ring frames with) after each hold, to tell the kernel's frames from its own.
     */
    public void standby(StandbyGate standby, LongSupplier wallClock) {
        this.gate = standby;
        this.wallClock = wallClock;
    }

    /** Pings {@code dog} from the data plane's loop; before {@link #doWork()} first runs. */
    public void watchdog(Watchdog dog) {
        this.watchdog = dog;
    }

    @Override
    public String roleName() {
        return "quietbridge-dataplane";
    }

    @Override
    public int doWork() throws IOException {
        now = clock.getAsLong();
        if (gate != null && now - nextGateHold >= 0) {
            holdGate();
        }
        if (watchdog != null && now - nextWatchdog >= 0) {
            nextWatchdog = now + watchdog.intervalNanos();
            watchdog.ping();
        }
        int work = runCommands();
        CompiledRules next = publishedRules.get();
        if (next != rules) {
            next.carryOverHits(rules);
            rules = next;
            datagrams.clear(); // its rule indexes are the old set's
        }
        int frames = 0;
        for (int in = 0; in < ports.length; in++) {
            frames += forwardFrom(in);
        }
        work += frames;
        for (int p = 0; p < ports.length; p++) {
            if (pendingFlush[p]) {
                pendingFlush[p] = false;
                ports[p].flush();
            }
        }
        topTalkers.sweep(now, SWEEP_SLOTS_PER_ROUND);
        int aged = fdb.sweep(now, SWEEP_SLOTS_PER_ROUND);
        if (aged > 0) {
            fdbCounters.add(FdbCounter.AGED.id(), aged);
        }
        fdbCounters.set(FdbCounter.ENTRIES.id(), fdb.size());
        if (nlb != null) {
            nlb.sweep(now, NLB_SWEEP_SLOTS_PER_ROUND);
        }
        ArpContainment arp = this.arp;
        if (arp != null) {
            arp.sweep(now, SWEEP_SLOTS_PER_ROUND);
        }
        StormControl storm = this.storm;
        if (storm != null && now - nextStormTick >= 0) {
            nextStormTick = now + STORM_TICK_NANOS;
            storm.tick(now);
        }
        if (now - nextRingStatistics >= 0) {
            nextRingStatistics = now + RING_STATISTICS_INTERVAL_NANOS;
            collectRingStatistics();
        }
        if (frames > 0) {
            load.increment(LoadCounter.BUSY_ROUNDS.id());
            load.add(LoadCounter.FRAMES.id(), frames);
            load.add(LoadCounter.BUSY_NANOS.id(), clock.getAsLong() - now);
        }
        return work;
    }

    /**
     * Holds the gate. When the last hold that took may have expired (or there was none: the start), the
     * kernel may have been forwarding, and the frames it forwarded are also in the RX rings: those stamped
     * from the earliest moment the gate could have opened (the start: from ever) to the hold are dropped,
     * not sent twice. The kernel's timer started no earlier than just before the last hold's sendto, and
     * runs out up to two ticks early ({@link #TAKEBACK_MARGIN_NANOS}); this hold took effect no later than
     * just after this sendto. A hold that comes late asks the gate first whether the last one is still in
     * force ({@link StandbyGate#stillHeld()}): when it is, the kernel forwarded nothing stamped before the
     * question, and only what arrived between the question and this hold is taken back. Without that question a loop that a busy CPU held up for 120 ms would drop frames nobody
     * forwarded (the campus lab's all-pairs ping lost one now and then). A refused hold changes nothing: the gate
     * goes on expiring.
     */
    private void holdGate() throws IOException {
        long timeout = gate.timeoutNanos();
        nextGateHold = now + timeout / 4;
        // Late (the holds are due every quarter of the timeout): ask the kernel whether the last hold is still in
        // force before renewing it, so that a loop that was slow but not stalled drops nothing.
        boolean stillHeld = false;
        long askedWall = wallClock.getAsLong();
        if (holdStart != Long.MIN_VALUE && clock.getAsLong() - holdStart > timeout / 2) {
            try {
                stillHeld = gate.stillHeld();
            } catch (IOException e) {
                failover.increment(FailoverCounter.GATE_ERRORS.id());
                throw e;
            }
        }
        long startWall = wallClock.getAsLong();
        long start = clock.getAsLong();
        boolean took;
        try {
            took = gate.hold();
        } catch (IOException e) {
            failover.increment(FailoverCounter.GATE_ERRORS.id());
            throw e;
        }
        long heldWall = wallClock.getAsLong();
        long held = clock.getAsLong();
        failover.set(FailoverCounter.GATE_ERRORS.id(), gate.errors());
        if (!took) {
            return;
        }
        if (holdStart == Long.MIN_VALUE) {
            takeBack(Long.MIN_VALUE, heldWall);
            failover.increment(FailoverCounter.TAKEN_AT_START.id());
        } else if (held - holdStart > timeout - TAKEBACK_MARGIN_NANOS) {
            // In force when asked (stillHeld): the kernel forwarded nothing stamped before the question, but it may
            // have between the question and this hold (a thread preempted there, a commit that waited).
            long from = holdStartWall + timeout - TAKEBACK_MARGIN_NANOS;
            if (stillHeld) {
                from = Math.max(from, askedWall);
            }
            if (from < heldWall) {
                takeBack(from, heldWall);
            }
            if (held - holdStart > timeout) {
                failover.increment(FailoverCounter.TAKEN_AFTER_STALL.id());
                failover.add(FailoverCounter.STALLED_NANOS.id(), held - (holdStart + timeout));
            }
        }
        holdStart = start;
        holdStartWall = startWall;
        gateHeld.setOpaque(held);
    }

    /**
     * Frames stamped in {@code [from, until)} were perhaps forwarded by the kernel. When an earlier window
     * ended less than a second ago, its frames may still wait in the rings: the windows are joined (what
     * lies between them was forwarded by nobody yet, and is dropped rather than perhaps sent twice).
     */
    private void takeBack(long from, long until) {
        if (takebackUntil != Long.MIN_VALUE && until - takebackUntil < TAKEBACK_JOIN_NANOS) {
            from = Math.min(from, takebackFrom);
        }
        takebackFrom = from;
        takebackUntil = until;
    }

    /**
     * The kernel's RX ring drops of every port into its {@link PortCounter#DROP_RX_RING_FULL} (and the V3
     * freeze count); a port that cannot be read is skipped, and the first failure is thrown after the others.
     */
    private void collectRingStatistics() throws IOException {
        IOException failure = null;
        for (int p = 0; p < ports.length; p++) {
            try {
                ports[p].collectRingStatistics();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
                continue;
            }
            portCounters[p].set(PortCounter.DROP_RX_RING_FULL.id(), ringDropsBefore[p] + ports[p].rxRingDrops());
            portCounters[p].set(PortCounter.RX_RING_FREEZES.id(), ringFreezesBefore[p] + ports[p].rxRingFreezes());
        }
        if (failure != null) {
            throw failure;
        }
    }

    private int runCommands() {
        int n = 0;
        Runnable c;
        while ((c = commands.poll()) != null) {
            queuedCommands.decrementAndGet();
            c.run();
            n++;
        }
        return n;
    }

    private int forwardFrom(int in) throws IOException {
        FramePort port = ports[in];
        int n = 0;
        while (n < batchSize && port.receive(rx)) {
            handle(in);
            port.release();
            n++;
        }
        return n;
    }

    private void handle(int in) throws IOException {
        NlbContainment nlb = this.nlb; // one volatile read per frame; a reload swaps it between rounds
        CounterArray c = portCounters[in];
        // On the wire the frame carried the tag the kernel stripped (tp_len leaves it out); TX counts it too.
        int tagBytes = rx.vlanTpid() != 0 ? 4 : 0;
        if (rx.truncated()) {
            c.increment(PortCounter.RX_FRAMES.id());
            c.add(PortCounter.RX_BYTES.id(), rx.wireLength() + tagBytes);
            c.increment(PortCounter.DROP_TRUNCATED.id());
            return;
        }
        FrameView f = view.wrap(rx.segment(), rx.offset(), rx.length(), rx.vlanTpid(), rx.vlanTci());
        countReceived(c, f, tagBytes);
        long stamp = rx.timestampNanos();
        if (stamp < takebackUntil && stamp >= takebackFrom) {
            c.add(PortCounter.DROP_FORWARDED_BY_KERNEL.id(), segments);
            return;
        }
        if (f.malformed()) {
            c.increment(PortCounter.MALFORMED.id());
            malformed.increment(f.malformation().ordinal());
            if (f.length() < Ethernet.HEADER_LENGTH) {
                c.increment(PortCounter.DROP_RUNT.id());
                return;
            }
        }
        long dst = f.destinationMac();
        long src = f.sourceMac();
        int vlan = f.vlanId();
        boolean group = Ethernet.isGroupAddress(dst);
        if (group) {
            c.add(PortCounter.RX_BROADCAST_MULTICAST.id(), segments);
        }
        if (!Ethernet.isGroupAddress(src)) {
            learn(src, vlan, in);
        }
        if (nlb != null) {
            nlb.learn(f, in, now);
        }
        ArpContainment arp = this.arp;
        if (arp != null && f.ipv4()) {
            arp.refresh(f.ipv4Source(), src, vlan, in, now);
        }
        int rule = rules.evaluate(f, in, segments);
        if (rule >= 0 && f.firstFragment() && rules.action(rule) == Action.DROP) {
            // A drop rule as written (in monitor mode it counts): the datagram's later fragments follow it.
            datagrams.remember(f, rule, now);
        } else if (rule == CompiledRules.NO_MATCH && f.nonFirstFragment()) {
            // No ports to match and no rule of its own: the rule that took its first fragment takes it too.
            rule = datagrams.ruleFor(f, now);
            if (rule >= 0) {
                rules.countHit(rule, segments);
                followedFragments.add(0, segments);
            }
        }
        if (rules.drops(rule)) {
            dropByRule(c, src, rule);
            return;
        }
        if (group && linkLocal == LinkLocalPolicy.DROP && LinkLocalPolicy.isLinkLocal(dst)) {
            c.add(PortCounter.DROP_LINK_LOCAL.id(), segments);
            return;
        }
        int arpEgress = ArpContainment.FORWARD;
        if (arp != null && f.arp()) {
            arpEgress = arp.handle(f, src, dst, vlan, in, now, nlb);
            if (arpEgress == ArpContainment.NOT_FORWARDED) {
                arp.countDecision();
                c.add(PortCounter.DROP_ARP_SAME_SIDE.id(), segments);
                return;
            }
        }
        // NLB containment first: a cluster MAC is never in the MAC table, so it would flood.
        int verdict = nlb != null && f.nlbDestination() != NlbMac.NONE
                ? nlb.decide(dst, vlan, in, now) : NlbContainment.NOT_A_CLUSTER;
        if (verdict == NlbContainment.CONTAINED) {
            c.add(PortCounter.DROP_NLB_CONTAINED.id(), segments);
            return;
        }
        int egressCount = 0;
        boolean flood = false;
        if (arpEgress >= 0) {
            egress[egressCount++] = arpEgress;
        } else if (verdict == NlbContainment.TO_MEMBERS) {
            for (long m = nlb.egressPorts(); m != 0; m &= m - 1) {
                egress[egressCount++] = Long.numberOfTrailingZeros(m);
            }
        } else {
            int known = group ? -1 : fdb.lookup(dst, vlan, now);
            if (known == in) {
                c.add(PortCounter.DROP_SAME_PORT.id(), segments);
                return;
            }
            if (known >= 0) {
                egress[egressCount++] = known;
            } else {
                for (int p = 0; p < ports.length; p++) {
                    if (p != in) {
                        egress[egressCount++] = p;
                    }
                }
                flood = true;
            }
        }
        StormControl storm = this.storm;
        if (storm != null && !storm.admit(in, stormClasses(f, dst, group, flood), src, segments, now)) {
            c.add(PortCounter.DROP_STORM.id(), segments);
            return;
        }
        if (arp != null && f.arp()) {
            arp.countDecision();
        }
        if (flood) {
            c.add(PortCounter.FLOODED.id(), segments);
            if (verdict == NlbContainment.UNKNOWN) {
                nlb.countFlood();
            }
        }
        if (arpEgress >= 0 && arp.mode() == ArpMode.UNICAST) {
            // To the owner alone: the AP delivers a unicast to one client, at its rate, and acknowledged.
            writeDestination(f, arp.ownerMac());
        } else if (group) {
            c.add(PortCounter.FORWARDED_BROADCAST_MULTICAST.id(), segments);
        }
        for (int i = 0; i < egressCount; i++) {
            send(egress[i], f);
        }
    }

    /**
     * The storm-control classes of a frame (a set of {@link StormClass} bits): broadcast, multicast or,
     * when it floods, unknown unicast, and ARP besides; none for an IEEE 802.1D link-local frame.
     */
    static int stormClasses(FrameView f, long dst, boolean group, boolean flood) {
        if (group && LinkLocalPolicy.isLinkLocal(dst)) {
            return 0;
        }
        int classes = group ? (dst == Ethernet.BROADCAST_MAC ? StormClass.BROADCAST.bit() : StormClass.MULTICAST.bit())
                : flood ? StormClass.UNKNOWN_UNICAST.bit() : 0;
        return f.arp() ? classes | StormClass.ARP.bit() : classes;
    }

    /** Puts {@code mac} in the frame's destination field, in place in the RX slot. */
    private static void writeDestination(FrameView f, long mac) {
        for (int i = 0; i < 6; i++) {
            f.segment().set(ValueLayout.JAVA_BYTE, f.offset() + i, (byte) (mac >>> (40 - 8 * i)));
        }
    }

    /** Counts the frame in {@code rx} as dropped by {@code rule}, for its source and in the dropped-frames ring. */
    private void dropByRule(CounterArray c, long src, int rule) {
        c.add(PortCounter.DROP_RULE.id(), segments);
        topTalkers.record(src, now, rules.name(rule));
        droppedFrames.record(rx.segment(), rx.offset(), rx.length(), rx.vlanTpid(), rx.vlanTci(), now + wallClockOffset);
    }

    /**
     * Counts a received frame as the wire frames it stands for: a super-frame's segments and their
     * bytes ({@link SuperFrames}), and sets {@link #segments} and {@link #headerLength} for the
     * decisions that follow. The headers each segment repeats replace the kernel's hdr_len in the frame's
     * offload state, which goes to egress with it.
     */
    private void countReceived(CounterArray c, FrameView f, int tagBytes) {
        Offload offload = rx.offload();
        if (!offload.gso()) {
            segments = 1;
            headerLength = 0;
            c.increment(PortCounter.RX_FRAMES.id());
            c.add(PortCounter.RX_BYTES.id(), rx.wireLength() + tagBytes);
            return;
        }
        headerLength = SuperFrames.headerLength(f, offload);
        segments = SuperFrames.segments(rx.length(), headerLength, offload.gsoSize());
        if (headerLength > 0) {
            offload.headerLength(headerLength);
        }
        c.increment(PortCounter.RX_SUPER_FRAMES.id());
        c.add(PortCounter.RX_FRAMES.id(), segments);
        c.add(PortCounter.RX_BYTES.id(), SuperFrames.wireBytes(rx.length(), segments, headerLength, tagBytes));
    }

    private void learn(long src, int vlan, int in) {
        switch (fdb.learn(src, vlan, in, now)) {
            case ForwardingTable.LEARNED -> fdbCounters.increment(FdbCounter.LEARNED.id());
            case ForwardingTable.MOVED -> fdbCounters.increment(FdbCounter.MOVED.id());
            case ForwardingTable.TABLE_FULL -> fdbCounters.increment(FdbCounter.TABLE_FULL.id());
            case ForwardingTable.STATIC_CONFLICT -> fdbCounters.increment(FdbCounter.STATIC_CONFLICT.id());
            default -> {
            }
        }
    }

    private void send(int out, FrameView f) throws IOException {
        FramePort port = ports[out];
        CounterArray c = portCounters[out];
        int tpid = rx.vlanTpid();
        int tci = rx.vlanTci();
        Offload offload = rx.offload();
        // The MTU bounds the payload behind the MAC header and every tag (IEEE 802.3 clause 3.2.7); for a
        // super-frame, that of each segment.
        int payload = offload.gso() && headerLength > 0
                ? SuperFrames.segmentPayload(headerLength, offload.gsoSize(), 4 * f.inFrameTags())
                : f.length() - Ethernet.HEADER_LENGTH - 4 * f.inFrameTags();
        if (payload > port.mtu()) {
            c.add(PortCounter.DROP_TOO_BIG.id(), segments);
            return;
        }
        int status = port.transmit(f.segment(), f.offset(), f.length(), tpid, tci, offload);
        if (status == FramePort.TX_RING_FULL) {
            // Kick what is queued, then try once more before giving the frame up.
            port.flush();
            pendingFlush[out] = false;
            status = port.transmit(f.segment(), f.offset(), f.length(), tpid, tci, offload);
        }
        if (status == FramePort.TX_TOO_BIG) {
            c.add(PortCounter.DROP_TOO_BIG.id(), segments);
            return;
        }
        if (status == FramePort.TX_TOO_SHORT) {
            c.increment(PortCounter.DROP_RUNT.id());
            return;
        }
        if (status == FramePort.TX_PORT_GONE) {
            c.add(PortCounter.DROP_PORT_GONE.id(), segments);
            return;
        }
        if (status != FramePort.TX_OK) {
            c.add(PortCounter.DROP_TX_RING_FULL.id(), segments);
            return;
        }
        // A partial checksum leaves in the virtio-net header where the port carries one; otherwise the
        // bridge completes it (IPv4 TCP/UDP), as the frame has to be whole on the wire.
        if (rx.csumNotReady() && (!port.carriesOffloads() || !offload.needsChecksum())) {
            boolean done = L4Checksum.complete(f, port.lastTxFrame(), tpid != 0 ? 4 : 0);
            c.increment(done ? PortCounter.CHECKSUM_COMPLETED.id() : PortCounter.CHECKSUM_UNFIXABLE.id());
        }
        pendingFlush[out] = true;
        int tagBytes = tpid != 0 ? 4 : 0;
        c.add(PortCounter.TX_FRAMES.id(), segments);
        c.add(PortCounter.TX_BYTES.id(), SuperFrames.wireBytes(f.length(), segments, headerLength, tagBytes));
    }

    // ---- control plane ----------------------------------------------------------------------

    /** Publishes a new rule set; the data plane swaps it in between two rounds. Any thread. */
    public void publishRules(CompiledRules next) {
        publishedRules.set(next);
    }

    /** The rule set the data plane uses now (or will use from the next round). Any thread. */
    public CompiledRules rules() {
        return publishedRules.get();
    }

    /**
     * Queues work to run on the data-plane thread between two rounds (for example an FDB
     * snapshot). Any thread.
     *
     * @return false when the queue is full
     */
    public boolean submit(Runnable command) {
        if (queuedCommands.incrementAndGet() > COMMAND_QUEUE_LIMIT) {
            queuedCommands.decrementAndGet();
            return false;
        }
        commands.add(command);
        return true;
    }

    /**
     * Applies new tunables (hot reload): FDB limit, aging and static entries, NLB settings,
     * link-local policy, storm-control limits, batch size. Learned entries carry over while they fit the new limit. Data-plane thread
     * only: call it through {@link #submit}.
     */
    public void reconfigure(BridgeSettings settings) {
        fdb = ForwardingTable.of(settings, fdb, now);
        if (!settings.nlb().equals(nlbSettings)) {
            // A new cluster table: static clusters apply at once, learned ones are found again
            // from the next ARP or reply they send.
            nlb = settings.nlb().mode() == NlbMode.OFF ? null : new NlbContainment(settings.nlb(), ports.length);
            nlbSettings = settings.nlb();
        }
        linkLocal = settings.linkLocal();
        if (!settings.arp().equals(arpSettings)) {
            // Live bindings and the counters go on.
            arp = settings.arp().mode() == ArpMode.OFF ? null : new ArpContainment(settings.arp(), arp, now);
            arpSettings = settings.arp();
        }
        if (!settings.storm().equals(stormSettings)) {
            // Buckets start full; the totals of a limit both sets have go on.
            storm = settings.storm().limits().isEmpty() ? null
                    : new StormControl(settings.storm(), ports.length, now, storm);
            stormSettings = settings.storm();
        }
        batchSize = settings.batchSize();
    }

    /** Sources of dropped frames; data-plane thread only (see {@link #submit}). */
    public TopTalkers topTalkers() {
        return topTalkers;
    }

    /** The last frames the rules dropped; data-plane thread only (see {@link #submit}). */
    public DroppedFrames droppedFrames() {
        return droppedFrames;
    }

    /** The MAC table; touch it only from the data-plane thread (see {@link #submit}). */
    public ForwardingTable fdb() {
        return fdb;
    }

    public int portCount() {
        return ports.length;
    }

    public String portName(int i) {
        return ports[i].name();
    }

    /** Port {@code i}; the data-plane thread owns it while the agent runs. */
    public FramePort port(int i) {
        return ports[i];
    }

    /**
     * Puts {@code next} in the place of port {@code i} and returns the port it replaces, for the caller to
     * close: an {@link org.quietbridge.bridge.port.AbsentPort} when the interface is gone, a newly opened
     * port when it is back. Frames held for the old port are released, its pending transmissions kicked
     * (or lost with it), and its ring counters carried into the port's totals. Data-plane thread only:
     * call it from a {@link #submit submitted} command.
     */
    public FramePort replacePort(int i, FramePort next) {
        FramePort old = ports[i];
        if (!next.name().equals(old.name())) {
            throw new IllegalArgumentException("port " + i + " is " + old.name() + ", not " + next.name());
        }
        old.release();
        try {
            old.collectRingStatistics();
            old.flush();
        } catch (IOException | RuntimeException e) {
            // The interface is gone: what it held is lost with it.
        }
        ringDropsBefore[i] += old.rxRingDrops();
        ringFreezesBefore[i] += old.rxRingFreezes();
        pendingFlush[i] = false;
        ports[i] = next;
        return old;
    }

    /** How port {@code i}'s interface is, as the port watch last saw it; any thread. */
    public PortState portState(int i) {
        return portStates.getOpaque(i);
    }

    /** Records how port {@code i}'s interface is (the port watch); any thread. */
    public void portState(int i, PortState state) {
        portStates.setOpaque(i, state);
    }

    /** Counts an event of port {@code i} (it vanished, came back, lost carrier). Data-plane thread only. */
    public void countPortEvent(int i, PortCounter event) {
        portCounters[i].increment(event.id());
    }

    /** Counter of a port; any thread. */
    public long counter(int port, PortCounter counter) {
        return portCounters[port].get(counter.id());
    }

    /** FDB counter; any thread. */
    public long counter(FdbCounter counter) {
        return fdbCounters.get(counter.id());
    }

    /** ARP containment as it runs now, or null when off; any thread reads its counters. */
    public ArpContainment arpContainment() {
        return arp;
    }

    /** Storm control as it runs now, or null without limits; any thread reads its counters. */
    public StormControl stormControl() {
        return storm;
    }

    /** What the bridge does about NLB cluster floods. */
    public NlbMode nlbMode() {
        return nlb == null ? NlbMode.OFF : nlb.mode();
    }

    /** NLB cluster table counter; any thread. 0 when containment is off. */
    public long counter(NlbCounter counter) {
        return nlb == null ? 0 : nlb.counter(counter);
    }

    /**
     * The NLB clusters the bridge knows, with their member ports and counters; any thread (a
     * lock-free copy, see {@link NlbContainment#clusters()}). Empty when containment is off.
     */
    public List<NlbCluster> nlbClusters() {
        return nlb == null ? List.of() : nlb.clusters();
    }

    /** What the data plane did with the kernel's stand-in; any thread. */
    public long counter(FailoverCounter counter) {
        return failover.get(counter.id());
    }

    /** Whether a stand-in is configured ({@link #standby}). */
    public boolean hasStandby() {
        return gate != null;
    }

    /**
     * Whether the kernel forwards now: the data plane has not held the gate within its timeout (it has
     * not started yet, stands still, or has stopped). Any thread; false without a stand-in.
     */
    public boolean kernelForwards(long nowNanos) {
        if (gate == null) {
            return false;
        }
        long held = gateHeld.getOpaque();
        return held == Long.MIN_VALUE || released || nowNanos - held > gate.timeoutNanos();
    }

    /** The wall clock (nanoseconds since the epoch) of a reading of this agent's clock; for tests. */
    public long wallClockNanos(long clockNanos) {
        return clockNanos + wallClockOffset;
    }

    /** Later fragments that took the drop rule of their datagram's first fragment; any thread. */
    public long laterFragmentsFollowed() {
        return followedFragments.get(0);
    }

    /** How busy the data-plane thread is; any thread. */
    public long counter(LoadCounter counter) {
        return load.get(counter.id());
    }

    /** Frames that could not be decoded in full, by reason; any thread. */
    public long malformed(Malformation reason) {
        return malformed.get(reason.ordinal());
    }

    /** The clock reading of the current round; data-plane thread. */
    public long now() {
        return now;
    }

    /**
     * Hands the ports to the kernel's stand-in, if there is one, reads the kernel's ring counters a last
     * time (so the stop summary has them), then closes the ports.
     */
    @Override
    public void onClose() {
        if (gate != null) {
            try {
                gate.release();
                released = true;
                failover.increment(FailoverCounter.RELEASED_AT_STOP.id());
            } catch (IOException | RuntimeException e) {
                failover.increment(FailoverCounter.GATE_ERRORS.id()); // it expires by itself within its timeout
            }
            gate.close();
        }
        try {
            collectRingStatistics();
        } catch (IOException | RuntimeException e) {
            // A port that is gone has no counters left to read; closing goes on.
        }
        for (FramePort p : ports) {
            p.close();
        }
    }
}
