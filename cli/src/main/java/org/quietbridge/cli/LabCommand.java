package org.quietbridge.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.quietbridge.cli.demo.CampusScenario;
import org.quietbridge.cli.demo.Installation;
import org.quietbridge.cli.demo.LabDemo;
import org.quietbridge.cli.demo.LabFolder;
import org.quietbridge.cli.demo.LabRemoval;
import org.quietbridge.lab.Lab;
import org.quietbridge.lab.LabException;
import org.quietbridge.lab.LabOptions;
import org.quietbridge.lab.Role;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code quietbridge lab up|down|demo}: the namespace lab ({@link Lab}) from the command line, so
 * that anyone can watch quietbridge work on a Linux machine with no network cards to spare.
 *
 * <ul>
 *   <li>{@code up} builds a lab that stays (until {@code down} or a reboot) and prints how to run
 *       the bridge in it and what to send through it;</li>
 *   <li>{@code down} removes it, with whatever still runs inside;</li>
 *   <li>{@code demo} does all of it by itself: {@link LabDemo}.</li>
 * </ul>
 * All three need root; failures are one line and exit code 1, a bad prefix exit code 2.
 */
@Command(
        name = "lab",
        description = "Try quietbridge in a lab of network namespaces: up, down, demo, campus.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {LabCommand.Up.class, LabCommand.Down.class, LabCommand.Demo.class, LabCommand.Campus.class})
final class LabCommand implements Runnable {
    static final String DEFAULT_PREFIX = "qb";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: one of up, down, demo, campus");
    }

    @Command(name = "up", description = {
            "Build the lab (namespaces PREFIX-ap, PREFIX-br, PREFIX-core) and print how to use it.",
            "It stays until 'lab down' or a reboot."})
    static final class Up implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--prefix", defaultValue = DEFAULT_PREFIX, paramLabel = "PREFIX",
                description = "Names the namespaces PREFIX-ap, PREFIX-br and PREFIX-core (default: ${DEFAULT-VALUE}).")
        String prefix;

        @Option(names = "--host-offloads", defaultValue = "on", paramLabel = "on|off",
                description = {"The hosts' TSO, GSO and TX checksum offloads: on (the default), as every VM and",
                    "container has them; off, so that frames look as on a physical wire."})
        String hostOffloads;

        @Override
        public Integer call() {
            List<String> present = existingNamespaces(prefix);
            boolean offloads = switch (hostOffloads) {
                case "on" -> true;
                case "off" -> false;
                default -> throw new ParameterException(spec.commandLine(),
                        "--host-offloads: '" + hostOffloads + "' is not on or off");
            };
            requireRoot("lab up");
            if (!present.isEmpty()) {
                throw new LabException("lab " + prefix + " exists already (" + String.join(", ", present)
                        + "): use it, or remove it with 'quietbridge lab down --prefix " + prefix + "'");
            }
            Installation installation = Installation.current();
            LabFolder folder = LabFolder.of(prefix);
            Lab lab = Lab.create(prefix, LabOptions.defaults().withRemoveOnExit(false).withHostOffloads(offloads));
            Path smbConf;
            Path config;
            String dashboard;
            try {
                dashboard = lab.addManagementLink();
                smbConf = folder.writeSambaConfig();
                config = installation.example("lab.yaml").orElseGet(folder::writeBridgeConfig);
            } catch (RuntimeException e) {
                Lab.destroy(prefix);
                folder.delete();
                throw e;
            }
            printGuide(spec.commandLine().getOut(), lab, installation, config, smbConf, dashboard);
            return ExitCode.OK;
        }

        private static void printGuide(PrintWriter out, Lab lab, Installation installation, Path config, Path smbConf,
                String dashboard) {
            Path cwd = Path.of("").toAbsolutePath();
            String ap = lab.namespace(Role.AP);
            String br = lab.namespace(Role.BR);
            String core = lab.namespace(Role.CORE);
            String coreIp = lab.ipv4(Role.CORE);
            String quietbridge = installation.launcherFor(cwd);
            int width = core.length();
            String name = LabFolder.NETBIOS_NAME;
            out.printf("lab %s is up: three network namespaces, one Ethernet segment cut in two by %s%n%n",
                    lab.prefix(), br);
            out.printf("  %-" + width + "s  eth0 %s/24 %s/64  %s  a client, as behind a wireless AP%n", ap,
                    lab.ipv4(Role.AP), lab.ipv6(Role.AP), lab.mac(Role.AP));
            out.printf("  %-" + width + "s  %-49s  the bridge's namespace: nothing crosses until a bridge runs%n", br,
                    Lab.AP_PORT + " <-> " + Lab.CORE_PORT + ", no addresses");
            out.printf("  %-" + width + "s  eth0 %s/24 %s/64  %s  a server, as on the campus core%n", core, coreIp,
                    lab.ipv6(Role.CORE), lab.mac(Role.CORE));
            out.printf("  %-" + width + "s  %s %s/30, to %s %s/30 on this machine: the bridge's management port%n%n",
                    "", Lab.MANAGEMENT_PORT, Lab.MANAGEMENT_BRIDGE_ADDRESS, Lab.managementLinkName(lab.prefix()),
                    Lab.MANAGEMENT_HOST_ADDRESS);
            String api = Lab.MANAGEMENT_BRIDGE_ADDRESS + ":9700";
            String shortConfig = Installation.shortest(config, cwd).toString();
            out.println("Run quietbridge in it (Ctrl-C stops it and prints its counters):");
            out.println();
            out.println("  ip netns exec " + br + " " + quietbridge + " run -c " + shortConfig + " --api " + api);
            out.println();
            out.println("Open its dashboard in a browser on this machine: " + dashboard);
            out.println("Edit the rules (for example 'mode: monitor' in " + shortConfig + "), then apply them live:");
            out.println();
            out.println("  " + quietbridge + " reload --api " + api + "     # or: kill -HUP <its pid>");
            out.println("  " + quietbridge + " stats --api " + api);
            out.println();
            out.println("Then, from another shell, send traffic through it:");
            out.println();
            out.println("  # unicast crosses, and so does the ARP broadcast before it:");
            out.println("  ip netns exec " + ap + " ping -c 3 " + coreIp);
            out.println("  # nmbd serves the NetBIOS name " + name + " on the core host ('lab down' stops it):");
            out.println("  ip netns exec " + core + " nmbd -D -s " + smbConf + " -l "
                    + LabFolder.of(lab.prefix()).sambaLogFolder());
            out.println("  # a broadcast name query: quietbridge drops it, so no answer comes:");
            out.println("  ip netns exec " + ap + " nmblookup -B " + Lab.IPV4_BROADCAST + " " + name);
            out.println("  # a unicast name query crosses and is answered:");
            out.println("  ip netns exec " + ap + " nmblookup -U " + coreIp + " " + name);
            out.println("  # TCP throughput through the bridge:");
            out.println("  ip netns exec " + core + " iperf3 -s -D && ip netns exec " + ap + " iperf3 -c " + coreIp
                    + " -t 3");
            out.println("  # what reaches the core host (the bridge's own view: 'run' prints counters when it stops):");
            out.println("  ip netns exec " + core + " tcpdump -n -e -i eth0");
            out.println();
            out.println("Remove the lab: " + quietbridge + " lab down" + (lab.prefix().equals(DEFAULT_PREFIX) ? ""
                    : " --prefix " + lab.prefix()));
            out.flush();
        }
    }

    @Command(name = "down", description = "Remove the lab: the processes still in it, its namespaces and its files.")
    static final class Down implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--prefix", defaultValue = DEFAULT_PREFIX, paramLabel = "PREFIX",
                description = "The lab's prefix (default: ${DEFAULT-VALUE}).")
        String prefix;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<String> present = existingNamespaces(prefix);
            if (present.isEmpty() && !LabFolder.of(prefix).exists()) {
                out.println("no lab " + prefix + " here: nothing to remove");
                out.flush();
                return ExitCode.OK;
            }
            requireRoot("lab down");
            out.println("removed lab " + prefix + ": " + LabRemoval.remove(prefix).describe());
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "demo", description = {
            "Build a lab, run the real bridge in it, send real traffic through it (ping, NetBIOS name queries"
                    + " with nmbd, mDNS/LLMNR/SSDP/DHCP, iperf3), report what crossed and what was dropped,"
                    + " and remove the lab again. Takes about 10 s.",
            "Needs root, iproute2, ethtool, procps, iputils-ping, tcpdump, netsniff-ng (mausezahn), iperf3, samba"
                    + " (nmbd) and samba-common-bin (nmblookup); exit code 0 when every check passed."})
    static final class Demo implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--prefix", defaultValue = LabDemo.DEFAULT_PREFIX, paramLabel = "PREFIX",
                description = "Names the namespaces PREFIX-ap, PREFIX-br and PREFIX-core (default: ${DEFAULT-VALUE}).")
        String prefix;

        @Option(names = "--keep", description = "Leave the lab up at the end, for a closer look ('lab down' removes it).")
        boolean keep;

        @Override
        public Integer call() {
            existingNamespaces(prefix); // a bad prefix is a usage error, before anything else
            LabDemo demo = new LabDemo(prefix, keep, Installation.current(), spec.commandLine().getOut());
            // Ctrl-C and kill: cut the demo short, but through its cleanup (and the exit code 1).
            Signals.handle("INT", () -> demo.interrupt("SIGINT"));
            Signals.handle("TERM", () -> demo.interrupt("SIGTERM"));
            return demo.run();
        }
    }

    @Command(name = "campus", description = {
            "Build a campus segment (20 wireless clients behind an access point; a gateway, a DHCP and NetBIOS server"
                    + " and 10 desktops on the core), run the same campus activity three times (without quietbridge,"
                    + " with its NetBIOS rules only, with everything on), count the broadcast and multicast frames that"
                    + " reach one client each time, and remove the lab again. Takes about 3.5 minutes with the default 60 s.",
            "Needs root, iproute2, procps, iputils-ping, samba (nmbd), samba-common-bin (nmblookup), tcpdump,"
                    + " dnsmasq-base, busybox (udhcpc), python3 and nftables; exit code 0 when every check passed and"
                    + " everything on removes at least 75%."})
    static final class Campus implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--prefix", defaultValue = CampusScenario.DEFAULT_PREFIX, paramLabel = "PREFIX",
                description = "Names the namespaces PREFIX-c01, PREFIX-br, PREFIX-gw... (default: ${DEFAULT-VALUE}).")
        String prefix;

        @Option(names = "--seconds", defaultValue = "" + CampusScenario.DEFAULT_SECONDS, paramLabel = "SECONDS",
                description = "How long each of the three runs counts (default: ${DEFAULT-VALUE}; at least 15).")
        int seconds;

        @Override
        public Integer call() {
            existingNamespaces(prefix);
            if (seconds < CampusScenario.MIN_SECONDS) {
                throw new ParameterException(spec.commandLine(), "--seconds: at least " + CampusScenario.MIN_SECONDS
                        + ", not " + seconds);
            }
            return new CampusScenario(prefix, seconds, Installation.current(), spec.commandLine().getOut()).run();
        }
    }

    /** The namespaces of {@code prefix} that exist; a malformed prefix is bad input (exit 2). */
    private static List<String> existingNamespaces(String prefix) {
        try {
            return Lab.existingNamespaces(prefix);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage(), e);
        }
    }

    private static void requireRoot(String command) {
        if (!Lab.runningAsRoot()) {
            throw new LabException(command + " needs root: it works on network namespaces and veth links;"
                    + " run it with sudo");
        }
    }
}
