package org.quietbridge.cli;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.quietbridge.bridge.config.BridgeConfig;
import org.quietbridge.bridge.forward.ArpContainment;
import org.quietbridge.bridge.forward.ArpCounter;
import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.bridge.forward.PortCounter;
import org.quietbridge.bridge.port.MemoryPort;
import org.quietbridge.capture.CaptureReader;
import org.quietbridge.frame.Ethernet;
import org.quietbridge.rules.CompiledRules;

/**
 * {@code explain} on a whole bridge configuration: replays captures through the data plane itself
 * ({@link BridgeAgent} over in-memory ports, on the captures' clock), so that rules, later fragments, NLB
 * and ARP containment, storm control and MAC learning each do what they would do inline, and tallies what
 * each removed and how much broadcast/multicast each port would still get.
 *
 * <p>Each capture belongs to the port its frames arrived on; several captures are merged in timestamp
 * order. The baseline ("without quietbridge") is a plain wire: every broadcast or multicast frame from one
 * port reaches every other port.
 */
final class BridgeReplay {
    /** In-memory ports this large take any frame an Ethernet capture holds but GRO'd ones. */
    static final int PORT_MTU = 9216;

    /** A capture of the frames that arrived on port {@code port} of the configuration. */
    record Input(String port, Path file, String name) {
    }

    /** What the replay found. */
    record Result(BridgeConfig config, List<Input> inputs, long[] framesIn, long[] groupIn, long[] groupOffered,
            long[] groupDelivered, long[] removedBy, long laterFragments, long arpRewritten, long tooLarge,
            List<String> ruleNames, long[] ruleHits) {

        long removed(Removal r) {
            return removedBy[r.ordinal()];
        }
    }

    /** What removed a frame, as the port counters say. */
    enum Removal {
        RULES("rules", PortCounter.DROP_RULE),
        NLB("NLB containment", PortCounter.DROP_NLB_CONTAINED),
        ARP("ARP containment (target on the requester's side)", PortCounter.DROP_ARP_SAME_SIDE),
        STORM("storm control", PortCounter.DROP_STORM),
        LINK_LOCAL("link-local (link_local: drop)", PortCounter.DROP_LINK_LOCAL),
        SAME_PORT("MAC learning (destination on its own side)", PortCounter.DROP_SAME_PORT);

        final String text;
        final PortCounter counter;

        Removal(String text, PortCounter counter) {
            this.text = text;
            this.counter = counter;
        }
    }

    private BridgeReplay() {
    }

    static Result run(BridgeConfig config, List<Input> inputs) throws IOException {
        List<String> ports = config.ports();
        int n = ports.size();
        MemoryPort[] memory = new MemoryPort[n];
        for (int i = 0; i < n; i++) {
            memory[i] = new MemoryPort(ports.get(i), PORT_MTU);
        }
        long[] clock = {0};
        CompiledRules rules = config.compileRules();
        BridgeAgent agent = new BridgeAgent(memory, config.settings(), rules, () -> clock[0]);
        long[] framesIn = new long[n];
        long[] groupIn = new long[n];
        long[] offered = new long[n];
        long[] delivered = new long[n];
        long tooLarge = 0;
        List<CaptureReader> readers = new ArrayList<>();
        try {
            int[] portOf = new int[inputs.size()];
            boolean[] pending = new boolean[inputs.size()];
            for (int k = 0; k < inputs.size(); k++) {
                readers.add(CaptureReader.open(InputFiles.readable(inputs.get(k).file())));
                portOf[k] = ports.indexOf(inputs.get(k).port());
                pending[k] = readers.get(k).next();
            }
            long last = 0;
            while (true) {
                int k = earliest(readers, pending);
                if (k < 0) {
                    break;
                }
                CaptureReader r = readers.get(k);
                int in = portOf[k];
                long stamp = r.timestampNanos();
                if (stamp == CaptureReader.NO_TIMESTAMP) {
                    throw new BadInputException(inputs.get(k).name() + ": a frame without a timestamp; the replay"
                            + " runs on the captures' clock (merging, aging, storm control)");
                }
                clock[0] = Math.max(last, stamp);
                last = clock[0];
                byte[] frame = new byte[r.capturedLength()];
                MemorySegment.copy(r.frame(), ValueLayout.JAVA_BYTE, 0, frame, 0, frame.length);
                pending[k] = r.next();
                framesIn[in]++;
                if (!memory[in].inject(frame)) {
                    tooLarge++;
                    continue;
                }
                // The group bit of the destination MAC, as for the frames sent below.
                boolean group = frame.length >= Ethernet.HEADER_LENGTH && (frame[0] & 1) != 0;
                if (group) {
                    groupIn[in]++;
                    for (int p = 0; p < n; p++) {
                        offered[p] += p == in ? 0 : 1;
                    }
                }
                agent.doWork();
                for (int p = 0; p < n; p++) {
                    for (byte[] sent : memory[p].takeTransmitted()) {
                        if ((sent[0] & 1) != 0) {
                            delivered[p]++;
                        }
                    }
                }
            }
        } finally {
            for (CaptureReader r : readers) {
                r.close();
            }
            for (MemoryPort p : memory) {
                p.close();
            }
        }
        long[] removedBy = new long[Removal.values().length];
        for (Removal removal : Removal.values()) {
            for (int p = 0; p < n; p++) {
                removedBy[removal.ordinal()] += agent.counter(p, removal.counter);
            }
        }
        ArpContainment arp = agent.arpContainment();
        CompiledRules used = agent.rules();
        List<String> names = new ArrayList<>();
        long[] hits = new long[used.size()];
        for (int i = 0; i < used.size(); i++) {
            names.add(used.name(i));
            hits[i] = used.hits(i);
        }
        return new Result(config, List.copyOf(inputs), framesIn, groupIn, offered, delivered, removedBy,
                agent.laterFragmentsFollowed(),
                arp == null ? 0 : arp.counter(ArpCounter.REWRITTEN), tooLarge, names, hits);
    }

    /** The reader whose next frame is earliest; -1 when all are done. */
    private static int earliest(List<CaptureReader> readers, boolean[] pending) {
        int best = -1;
        for (int k = 0; k < readers.size(); k++) {
            if (pending[k] && (best < 0 || readers.get(k).timestampNanos() < readers.get(best).timestampNanos())) {
                best = k;
            }
        }
        return best;
    }
}
