package org.quietbridge.bridge.port;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.quietbridge.bridge.sys.LinuxSyscalls;

/**
 * A network namespace {@code qbffm-<id>} joined to the root namespace by a veth pair: the root end
 * {@code qbffm<id>} is what a {@link PacketRingPort} opens, the namespace end is {@code eth0}. Traffic
 * is injected and observed inside the namespace. {@link #close()} deletes the namespace (and with it
 * the veth pair) even after a failure.
 */
final class VethLab implements AutoCloseable {
    static final String NS_IF = "eth0";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    final String namespace;
    final String hostIf;
    private final List<Process> processes = new ArrayList<>();

    private VethLab(String id) {
        this.namespace = "qbffm-" + id;
        this.hostIf = "qbffm" + id;
    }

    /** Skips the calling test unless it runs as root with iproute2 and python3. */
    static void assumeRootLab() {
        assumeTrue(LinuxSyscalls.geteuid() == 0,
                "needs root (CAP_NET_RAW, CAP_NET_ADMIN, network namespaces); running as euid " + LinuxSyscalls.geteuid());
        assumeTrue(works("ip", "-V"), "needs the ip command (iproute2)");
        assumeTrue(works("python3", "-c", "import socket"), "needs python3 to craft frames in the namespace");
    }

    private static boolean works(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Creates the namespace and the veth pair, both ends up, IPv6 off (no ND/MLD chatter on the link). */
    static VethLab create() throws IOException {
        VethLab lab = new VethLab(String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24)));
        try {
            lab.run("ip", "netns", "add", lab.namespace);
            lab.inNamespace("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            lab.run("ip", "link", "add", lab.hostIf, "type", "veth", "peer", "name", NS_IF, "netns", lab.namespace);
            lab.run("sysctl", "-qw", "net.ipv6.conf." + lab.hostIf + ".disable_ipv6=1");
            lab.run("ip", "link", "set", lab.hostIf, "up");
            lab.inNamespace("ip", "link", "set", "lo", "up");
            lab.inNamespace("ip", "link", "set", NS_IF, "up");
            return lab;
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    /** Runs a command in the namespace; fails with its output if it exits non-zero. */
    String inNamespace(String... command) throws IOException {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = namespace;
        System.arraycopy(command, 0, full, 4, command.length);
        return run(full);
    }

    /** Runs a command; fails with its output if it exits non-zero. */
    String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + output.strip());
        }
        return output;
    }

    static Path rawframesScript() {
        try {
            return Path.of(VethLab.class.getResource("rawframes.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends the frames, in order, out of the namespace end (so they arrive on {@link #hostIf}). */
    void sendFromNamespace(byte[]... frames) throws IOException {
        inNamespace(sendCommand(NS_IF, frames));
    }

    /**
     * Sends the frames out of {@link #hostIf} from another socket in the root namespace: they leave
     * towards the namespace, and are "outgoing" for a port on hostIf.
     */
    void sendFromHost(byte[]... frames) throws IOException {
        run(sendCommand(hostIf, frames));
    }

    private static String[] sendCommand(String iface, byte[]... frames) {
        String[] command = new String[4 + frames.length];
        command[0] = "python3";
        command[1] = rawframesScript().toString();
        command[2] = "send";
        command[3] = iface;
        for (int i = 0; i < frames.length; i++) {
            command[4 + i] = TestFrames.hex(frames[i]);
        }
        return command;
    }

    /**
     * Makes the namespace end send every frame it receives straight back (tc ingress, u32 match-all,
     * mirred egress redirect to itself), so a port's transmissions come back to it as received frames.
     */
    void reflectInNamespace() throws IOException {
        inNamespace("tc", "qdisc", "add", "dev", NS_IF, "ingress");
        inNamespace("tc", "filter", "add", "dev", NS_IF, "parent", "ffff:", "protocol", "all",
                "u32", "match", "u32", "0", "0", "action", "mirred", "egress", "redirect", "dev", NS_IF);
    }

    /** Starts a listener on the namespace end and waits until it is bound. */
    Listener listen(String magic, String end) throws IOException {
        Process p = new ProcessBuilder("ip", "netns", "exec", namespace, "python3", rawframesScript().toString(),
                "listen", NS_IF, TestFrames.hex(magic.getBytes(StandardCharsets.US_ASCII)),
                TestFrames.hex(end.getBytes(StandardCharsets.US_ASCII)), "30")
                .redirectErrorStream(true).start();
        processes.add(p);
        Listener listener = new Listener(p);
        listener.await("READY", Duration.ofSeconds(15));
        return listener;
    }

    /** Output lines of a {@code rawframes.py listen} process, read as they come. */
    static final class Listener {
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Listener(Process process) {
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("IOERROR " + e);
                }
                lines.add("EOF");
            }, "rawframes-listener");
            reader.setDaemon(true);
            reader.start();
        }

        private String await(String wanted, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<String> seen = new ArrayList<>();
            while (true) {
                String line;
                try {
                    line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                if (line == null || line.equals("EOF") || line.equals("TIMEOUT")) {
                    fail("listener: no " + wanted + " within " + timeout + "; saw " + seen + (line != null ? " " + line : ""));
                }
                if (line.equals(wanted)) {
                    return line;
                }
                seen.add(line);
            }
        }

        /** Frames (as "pkttype hex") the listener saw before the END frame. */
        List<String> framesUntilEnd(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<String> frames = new ArrayList<>();
            while (true) {
                String line;
                try {
                    line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                if (line == null || line.equals("EOF") || line.equals("TIMEOUT")) {
                    fail("listener: no END within " + timeout + "; frames so far " + frames);
                }
                if (line.equals("END")) {
                    return frames;
                }
                if (line.startsWith("FRAME ")) {
                    frames.add(line.substring("FRAME ".length()));
                } else {
                    fail("listener: " + line);
                }
            }
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        quietly("ip", "netns", "del", namespace);
        // Deleting the namespace destroys its veth end and with it the pair; this is for half-made labs.
        quietly("ip", "link", "del", hostIf);
    }

    private void quietly(String... command) {
        try {
            run(command);
        } catch (IOException e) {
            // already gone, or never made
        }
    }
}
