package org.quietbridge.bridge.failover;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

import org.quietbridge.bridge.forward.StandbyGate;
import org.quietbridge.bridge.sys.Ifreq;
import org.quietbridge.bridge.sys.NativeException;
import org.quietbridge.bridge.sys.NetDeviceControl;
import org.quietbridge.bridge.sys.NftTimeoutElement;

/**
 * The kernel as quietbridge's stand-in (docs/ARCHITECTURE.md, "Failover"): an nftables {@code netdev}
 * table with an ingress chain on each port. The chain's first rule drops every frame while the set
 * {@code alive} holds its one element, the ports' interface type (the data plane renews it from its loop,
 * {@link Gate}); when the
 * element expires, the frame runs through the rule set's drops that nftables can carry
 * ({@link FallbackRules}) and is forwarded to the other port ({@code fwd to}; with more ports, {@code dup
 * to} all but the last). AF_PACKET taps run before the ingress hook, so quietbridge still receives every
 * frame while the chain drops it.
 *
 * <pre>
 * table netdev quietbridge_ap0_core0 {
 *     set alive { type iface_type; flags timeout; }
 *     chain in_ap0 {
 *         type filter hook ingress device "ap0" priority -500; policy accept;
 *         meta iiftype @alive drop
 *         meta l4proto { tcp, udp } th dport { 137-138 } ether daddr &amp; 01:00:00:00:00:00 == ... counter drop
 *         fwd to "core0"
 *     }
 *     chain core0 { ... fwd to "ap0" }
 * }
 * </pre>
 * The table outlives the process on purpose: it is what forwards when the process is gone. It is
 * written with {@code nft -f} (one transaction), and named after the ports, so two bridges on different
 * ports keep their own.
 */
public final class KernelFallback {
    /** The set whose one element says "quietbridge forwards". */
    public static final String SET = "alive";
    /**
     * Its key: the ports' interface type, ARPHRD_ETHER (include/uapi/linux/if_arp.h), as {@code meta
     * iiftype} loads it (16 bits, host order). Nothing a frame carries can change it, unlike its mark,
     * which a sender (SO_MARK) or a tc action sets.
     */
    private static final byte[] ARPHRD_ETHER_KEY = ByteBuffer.allocate(2).order(ByteOrder.nativeOrder())
            .putShort((short) 1).array();
    private static final long NFT_LIMIT_SECONDS = 30;

    private final List<String> ports;
    private final FailoverSettings settings;
    private final String table;
    /** The rules the table carries now. */
    private FallbackRules rules;

    public KernelFallback(List<String> ports, FailoverSettings settings) {
        this.ports = List.copyOf(ports);
        this.settings = settings;
        this.table = tableName(ports);
    }

    /** {@code quietbridge_<port>_<port>...}, with anything but letters, digits and '_' as '_'. */
    public static String tableName(List<String> ports) {
        StringBuilder name = new StringBuilder("quietbridge");
        for (String p : ports) {
            name.append('_').append(p.replaceAll("[^A-Za-z0-9_]", "_"));
        }
        return name.toString();
    }

    public String table() {
        return table;
    }

    public FailoverSettings settings() {
        return settings;
    }

    /**
     * The whole table as {@code nft -f} input: it replaces a table of that name (a stand-in a previous run
     * left) in one transaction. It starts with the gate open (the kernel forwards until the data plane's
     * first hold), or with {@code gateShut}, held for one timeout, as a hold leaves it.
     */
    public String script(FallbackRules rules, boolean gateShut) {
        StringBuilder out = new StringBuilder();
        out.append("table netdev ").append(table).append('\n');
        out.append("delete table netdev ").append(table).append('\n');
        out.append("table netdev ").append(table).append(" {\n");
        out.append("    set ").append(SET).append(" {\n        type iface_type\n        flags timeout\n");
        if (gateShut) {
            out.append("        elements = { ether timeout ").append(settings.timeoutMillis()).append("ms }\n");
        }
        out.append("    }\n");
        for (String port : ports) {
            out.append("    chain ").append(chain(port)).append(" {\n");
            out.append("        type filter hook ingress device \"").append(port)
                    .append("\" priority -500; policy accept;\n");
            for (String line : chainRules(port, rules)) {
                out.append("        ").append(line).append('\n');
            }
            out.append("    }\n");
        }
        out.append("}\n");
        return out.toString();
    }

    /**
     * {@code nft -f} input that replaces only the rules of each chain, in one transaction: the set and its
     * element stay, so a reload never opens the gate.
     */
    public String rulesScript(FallbackRules rules) {
        StringBuilder out = new StringBuilder();
        for (String port : ports) {
            out.append("flush chain netdev ").append(table).append(' ').append(chain(port)).append('\n');
            for (String line : chainRules(port, rules)) {
                out.append("add rule netdev ").append(table).append(' ').append(chain(port)).append(' ')
                        .append(line).append('\n');
            }
        }
        return out.toString();
    }

    private List<String> chainRules(String port, FallbackRules rules) {
        String forward = forward(port);
        List<String> lines = new ArrayList<>();
        lines.add("meta iiftype @" + SET + " drop");
        lines.addAll(rules.lines(port, forward));
        lines.add(forward);
        return lines;
    }

    /** Chain names are identifiers: the port's name with anything else as '_', prefixed. */
    private static String chain(String port) {
        return "in_" + port.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** Every other port: {@code dup to} all but the last, {@code fwd to} the last. */
    private String forward(String port) {
        List<String> others = ports.stream().filter(p -> !p.equals(port)).toList();
        StringJoiner j = new StringJoiner(" ");
        for (int i = 0; i < others.size(); i++) {
            j.add((i == others.size() - 1 ? "fwd to \"" : "dup to \"") + others.get(i) + "\"");
        }
        return j.toString();
    }

    /**
     * Writes the whole table (see {@link #script}), after removing any other quietbridge table hooked on
     * these ports (a run with another port list left it), and sets the ports promiscuous for as long as
     * the table stands (see {@link #promiscuous}); the kernel forwards from now until the first hold.
     */
    public synchronized void install(FallbackRules rules) throws IOException {
        removeOthers(ports, table);
        nft(script(rules, false), "install the kernel's stand-in");
        this.rules = rules;
        promiscuous(ports, true);
    }

    /** Replaces the chains' rules (a reload), keeping the gate as it is. */
    public synchronized void update(FallbackRules rules) throws IOException {
        nft(rulesScript(rules), "carry the new rules into the kernel's stand-in");
        this.rules = rules;
    }

    /** {@link #update}, unless the table carries these rules already. */
    public synchronized void updateIfChanged(FallbackRules next) throws IOException {
        if (rules == null || !rulesScript(next).equals(rulesScript(rules))) {
            update(next);
        }
    }

    /**
     * Writes the whole table again, with the gate shut (the data plane forwards and holds it): after a
     * port's interface came back ({@code fwd to} names a device by the ifindex it had when the rule was
     * added, and a re-created interface has a new one), or after someone deleted the table ({@code nft
     * flush ruleset}).
     */
    public synchronized void reinstall() throws IOException {
        nft(script(rules, true), "write the kernel's stand-in again");
        promiscuous(ports, true);
    }

    /**
     * Deletes every quietbridge table hooked on one of {@code ports} ({@code failover: off}: nothing may
     * forward beside quietbridge), and ends the promiscuous mode it kept. Without nft there can be none
     * that this program wrote since nft was installed.
     */
    public static void remove(List<String> ports) throws IOException {
        if (nftPath() == null) {
            return;
        }
        if (removeOthers(ports, null)) {
            promiscuous(ports, false);
        }
    }

    /**
     * Deletes the quietbridge tables other than {@code keep} whose chains hook one of {@code ports}; returns
     * whether there was any (or {@code keep}).
     */
    private static boolean removeOthers(List<String> ports, String keep) throws IOException {
        boolean found = false;
        for (String line : nft("list tables netdev\n", "list the netdev tables").lines().toList()) {
            String name = line.strip().startsWith("table netdev ") ? line.strip().substring(13).strip() : "";
            if (!name.startsWith("quietbridge_")) {
                continue;
            }
            if (name.equals(keep)) {
                found = true;
                continue;
            }
            String listing = nft("list table netdev " + name + "\n", "read table " + name);
            if (ports.stream().anyMatch(p -> listing.contains("device \"" + p + "\""))) {
                nft("delete table netdev " + name + "\n", "remove the stand-in " + name + " on these ports");
                found = true;
            }
        }
        return found;
    }

    /**
     * Sets the ports promiscuous ({@code IFF_PROMISC}) or not. The packet sockets' membership ends with the
     * process; the stand-in has to receive frames for every MAC after that too, or a NIC's filter drops the
     * unicast between other hosts before the ingress hook.
     */
    private static void promiscuous(List<String> ports, boolean on) throws IOException {
        try (NetDeviceControl control = new NetDeviceControl()) {
            for (String port : ports) {
                control.setFlag(port, Ifreq.IFF_PROMISC, on);
            }
        } catch (NativeException e) {
            throw new IOException("failover: could not set promiscuous mode " + (on ? "on" : "off") + ": "
                    + e.getMessage(), e);
        }
    }

    /** The data plane's hold on the gate: a netlink socket of its own. */
    public StandbyGate gate() throws NativeException {
        return new Gate(new NftTimeoutElement(NftTimeoutElement.NFPROTO_NETDEV, table, SET, ARPHRD_ETHER_KEY,
                settings.timeoutMillis()), settings.timeoutMillis() * 1_000_000L);
    }

    /** Runs {@code nft -f -} on {@code script}; one line on failure, with nft's first error line. */
    private static Path nftPath() {
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin"}) {
            Path nft = Path.of(dir, "nft");
            if (Files.isExecutable(nft)) {
                return nft;
            }
        }
        return null;
    }

    private static String nft(String script, String what) throws IOException {
        Path nft = nftPath();
        if (nft == null) {
            throw new IOException("failover: kernel needs nft (Debian package nftables) to " + what
                    + "; install it, or set 'failover: off'");
        }
        Process p = new ProcessBuilder(nft.toString(), "-f", "-").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(script.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(NFT_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("failover: nft did not finish in " + NFT_LIMIT_SECONDS + " s trying to " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("failover: interrupted while nft tried to " + what, e);
        }
        if (p.exitValue() != 0) {
            String first = output.lines().filter(l -> l.contains("Error")).findFirst()
                    .orElse(output.lines().findFirst().orElse("exit " + p.exitValue()));
            throw new IOException("failover: nft could not " + what + ": " + first.strip());
        }
        return output;
    }

    /** {@link StandbyGate} on the set's element. */
    private static final class Gate implements StandbyGate {
        private final NftTimeoutElement element;
        private final long timeoutNanos;

        Gate(NftTimeoutElement element, long timeoutNanos) {
            this.element = element;
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        public long timeoutNanos() {
            return timeoutNanos;
        }

        @Override
        public boolean hold() throws IOException {
            return element.refresh();
        }

        @Override
        public boolean stillHeld() throws IOException {
            return element.present();
        }

        @Override
        public void release() throws IOException {
            element.release();
        }

        @Override
        public long errors() {
            return element.errors();
        }

        @Override
        public void close() {
            element.close();
        }
    }
}
