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
import java.util.concurrent.TimeUnit;

import org.quietbridge.bridge.sys.LinuxSyscalls;
import org.quietbridge.lab.CommandRunner;
import org.quietbridge.lab.HostTool;
import org.quietbridge.lab.Programs;
import org.quietbridge.lab.VethNamespace;

/**
 * The port tests' lab: a {@link VethNamespace} ({@code qbffm-<id>}, its near end {@code qbffm<id>} is
 * what a {@link PacketRingPort} opens, the far end is {@code eth0}), plus what these tests do there:
 * frames sent with {@code rawframes.py} from either end, a listener on the far end, a reflector.
 * {@link #close()} ends the listeners and deletes the namespace (and with it the veth pair) even after a
 * failure.
 */
final class VethLab implements AutoCloseable {
    static final String NS_IF = VethNamespace.FAR_END;

    final String namespace;
    final String hostIf;
    private final VethNamespace veth;
    private final List<Process> processes = new ArrayList<>();

    private VethLab(VethNamespace veth) {
        this.veth = veth;
        this.namespace = veth.namespace();
        this.hostIf = veth.hostEnd();
    }

    /** Skips the calling test unless it runs as root with iproute2 and python3. */
    static void assumeRootLab() {
        assumeTrue(LinuxSyscalls.geteuid() == 0,
                "needs root (CAP_NET_RAW, CAP_NET_ADMIN, network namespaces); running as euid " + LinuxSyscalls.geteuid());
        assumeTrue(HostTool.IP.find().isPresent(), "needs the ip command (iproute2)");
        assumeTrue(Programs.find("python3").isPresent()
                && CommandRunner.run(List.of("python3", "-c", "import socket"), Duration.ofSeconds(10)).succeeded(),
                "needs python3 to craft frames in the namespace");
    }

    /** Creates the namespace and the veth pair, both ends up, IPv6 off (no ND/MLD chatter on the link). */
    static VethLab create() {
        return new VethLab(VethNamespace.create("qbffm"));
    }

    /** Runs a command in the namespace; fails with its output if it exits non-zero; returns its stdout. */
    String inNamespace(String... command) {
        return veth.exec(command).stdout();
    }

    /** Runs a command; fails with its output if it exits non-zero; returns its stdout. */
    String run(String... command) {
        return veth.run(command).stdout();
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
        Process p = new ProcessBuilder(veth.inNamespace("python3", rawframesScript().toString(),
                "listen", NS_IF, TestFrames.hex(magic.getBytes(StandardCharsets.US_ASCII)),
                TestFrames.hex(end.getBytes(StandardCharsets.US_ASCII)), "30"))
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
        veth.close();
    }
}
