package io.resh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.resh.admin.AdminConfig;
import io.resh.admin.AdminServer;
import io.resh.admin.RunningServers;
import io.resh.core.ConfigException;
import io.resh.core.GroupEvent;
import io.resh.gateway.Gateway;
import io.resh.gateway.GatewayConfig;
import io.resh.core.config.GroupConfig;
import io.resh.host.ConfigFile;
import io.resh.host.ReplicaGroup;
import io.resh.host.net.ListenProbe;
import io.resh.host.net.ReshServer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs a replica group from a YAML config until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the replica group, gateway or cluster host CONFIG describes until Ctrl-C.",
                "A config with a service: section runs Java replicas behind resh's TCP front",
                "door; one with a server: section runs N copies of an unmodified server behind",
                "the voting gateway; a cluster: section runs this host as one peer of a",
                "Raft-ordered cluster. Every field: docs/CONFIGURATION.md, docs/GATEWAY.md and",
                "docs/CLUSTER.md."})
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger("resh");

    @Parameters(index = "0", paramLabel = "CONFIG", description = "YAML config file, e.g. examples/kv.yaml")
    Path config;

    @Option(names = {"-p", "--port"}, description = "Override listen.port (0 = any free port). Refused for a cluster "
            + "host of Java replicas, whose front door is its cluster.peers client address.")
    Integer port;

    @Option(names = "--id", description = "Cluster mode: this host's peer id (overrides cluster.id).")
    String id;

    @Option(names = "--join", description = "Cluster mode: start as a new host that waits to be added to the cluster.")
    boolean join;

    @Option(names = "--admin-port", defaultValue = "0",
            description = "Port of the admin API and dashboard on 127.0.0.1 (default: any free port; -1 disables it).")
    int adminPort;

    @Override
    public Integer call() throws InterruptedException {
        checkPorts();
        ServeExit exit;
        try {
            exit = new ServeExit("loading " + config.getFileName() + "; nothing was started");
        } catch (ServeExit.Stopped e) {
            return 1; // the JVM's exit status is the signal's
        }
        try {
            return serve(exit);
        } catch (ServeExit.Stopped e) {
            return 1; // the exit hook closes what was started and says so; the JVM's exit status is the signal's
        } catch (RuntimeException e) {
            exit.fail(); // what started before the error is closed here: only close() deletes a temporary directory
            if (Resh.shuttingDown()) {
                return 1; // closed under its start by the exit: the hook says why
            }
            throw e;
        }
    }

    /** Everything {@link #call} does once its exit hook is in place. */
    private int serve(ServeExit exit) throws InterruptedException {
        JsonNode tree = ConfigFile.readTree(config);
        if (ClusterServe.wanted(tree)) { // a cluster: section replicates across hosts through Raft
            return ClusterServe.run(config, tree, id, join, port, adminPort, exit);
        }
        if (id != null || join) {
            // Ignored, a forgotten cluster: section served a lone group while its user believed it had joined.
            throw new ConfigException(id != null ? "--id" : "--join", "is for a cluster host, and "
                    + config.getFileName() + " has no cluster: section (docs/CLUSTER.md)");
        }
        // The tree read above, not the file again: a config given as a pipe (resh serve <(...)) reads only once.
        if (GatewayConfig.isGatewayConfig(tree)) {
            return serveGateway(tree, exit);
        }
        GroupConfig cfg;
        try {
            cfg = ConfigFile.parse(tree);
        } catch (ConfigException e) {
            throw e.inFile(config);
        }
        // Both ports are bound only after the replicas started: a taken one had them started, logged and stopped
        // for nothing. Checked first; one taken between this check and the bind still fails there.
        try {
            refuseClientPortInUse(cfg.listenHost(), clientPort(cfg), cfg.name());
        } catch (ConfigException e) {
            throw e.inFile(config);
        }
        refuseAdminPortOnTheClientPort(cfg.listenHost(), clientPort(cfg), "group's client port");
        ClusterServe.refuseAdminPortInUse(adminPort);
        exit.starting("group " + cfg.name(), "resh: group " + cfg.name() + " stopped");
        ReplicaGroup group;
        try {
            // Said once the start's own checks passed: before them, their error followed a line that said it started.
            group = exit.start("group", () -> ReplicaGroup.start(cfg, List.of(ServeCommand::logEvent),
                    () -> starting("group " + cfg.name(), cfg.replicas(), "replica")), g -> g::close);
        } catch (ConfigException e) {
            // A field only the machine can refuse (cpus: a core this process may not run on, a workDir it cannot
            // create): name the file too, as every other config error does.
            throw e.inFile(config);
        }
        String host = cfg.listenHost(); // 127.0.0.1 unless the listen: section names another
        int listenPort = clientPort(cfg);
        ReshServer server;
        try {
            server = exit.start("server", () -> ReshServer.start(group, host, listenPort), s -> s::close);
        } catch (ServeExit.Stopped e) {
            throw e;
        } catch (RuntimeException e) {
            throw portTaken(e, cfg.name()); // ReshServer's message names the address and the reason
        }
        // Its error names the admin address and the reason.
        AdminServer admin = adminPort < 0 ? null : exit.start("admin",
                () -> AdminServer.start(AdminConfig.defaults().withListen("127.0.0.1", adminPort), List.of(group)),
                a -> a::close);
        // One println of the whole line: printf writes it piece by piece, and a log line on stderr landed inside it.
        System.out.println(String.format("resh: group %s serving on %s:%d — %s; replica logs in %s",
                cfg.name(), server.host(), server.port(), redundancy(cfg.replicas(), cfg.supervision().adaptive()),
                group.workDir().toAbsolutePath())); // a relative workDir: where it is, wherever the reader stands
        if (admin != null) {
            System.out.println("admin: " + admin.url());
            System.out.println("dashboard: " + admin.dashboardUrl());
        }
        System.out.flush();
        while (!exit.awaitStopped(Long.MAX_VALUE)) {
            // until the exit hook has stopped the group
        }
        return 0;
    }

    /**
     * Refuses a port option no socket can have before anything starts: {@code --admin-port -2} turned the
     * admin API off without a word, and {@code -p 99999} failed only when binding, in Java's words.
     */
    private void checkPorts() {
        if (adminPort < -1 || adminPort > 65535) {
            throw ConfigException.expected("--admin-port", "-1 (off), 0 (any free port) or 1 to 65535", Integer.toString(adminPort));
        }
        if (port != null && (port < 0 || port > 65535)) {
            throw ConfigException.expected("--port", "0 (any free port) or 1 to 65535", Integer.toString(port));
        }
    }

    /** Unmodified network servers behind the voting gateway. */
    private int serveGateway(JsonNode tree, ServeExit exit) throws InterruptedException {
        GatewayConfig gc;
        try {
            gc = GatewayConfig.parse(tree, config.toString(), config.toAbsolutePath().getParent());
        } catch (ConfigException e) {
            throw e.inFile(config);
        }
        if (port != null) {
            gc = gc.withPort(port);
        }
        // The gateway binds after its servers started: a taken port, or a host that is no address here ("cannot
        // listen on no-such-host:0: null"), had them started and stopped for nothing. A UDP port is probed with a
        // datagram socket: a TCP probe says nothing about it.
        boolean udp = gc.listen().mode() == GatewayConfig.Mode.UDP;
        try {
            refuseClientPortInUse(gc.listen().host(), udp ? 0 : gc.listen().port(), gc.group());
        } catch (ConfigException e) {
            throw e.inFile(config);
        }
        if (udp && gc.listen().port() != 0) {
            java.io.IOException taken = io.resh.host.net.ListenProbe.whyNotDatagram(gc.listen().host(), gc.listen().port());
            if (taken != null) {
                throw portTaken(new io.resh.core.ReshException("cannot receive datagrams on " + gc.listen().host() + ":"
                        + gc.listen().port() + ": " + taken.getMessage(), taken), gc.group());
            }
        }
        if (!udp) { // the admin API listens on TCP: a UDP gateway may have the same port number
            refuseAdminPortOnTheClientPort(gc.listen().host(), gc.listen().port(), "gateway's port");
        }
        ClusterServe.refuseAdminPortInUse(adminPort); // the servers would have been started and stopped for nothing
        exit.starting("gateway " + gc.group(), "resh: gateway " + gc.group() + " stopped");
        Gateway gateway;
        try {
            GatewayConfig checked = gc;
            gateway = exit.start("gateway", () -> Gateway.start(checked,
                    () -> starting("gateway " + checked.group(), checked.replicas(), "server")), g -> g::close);
        } catch (ConfigException e) {
            throw e.inFile(config); // a workDir it cannot create: named like every other error in the file
        } catch (ServeExit.Stopped e) {
            throw e;
        } catch (RuntimeException e) {
            throw portTaken(e, gc.group());
        }
        gateway.addListener(ServeCommand::logEvent);
        AdminServer admin = adminPort < 0 ? null : exit.start("admin", () -> AdminServer.start(
                AdminConfig.defaults().withListen("127.0.0.1", adminPort), List.of(), null,
                List.of(new GatewayAdminView(gateway))), a -> a::close);
        System.out.println("resh: " + gateway);
        if (admin != null) {
            System.out.println("admin: " + admin.url());
            System.out.println("dashboard: " + admin.dashboardUrl());
        }
        System.out.flush();
        gateway.awaitClosed();
        return 0;
    }

    /**
     * Says at once what starts: the replicas take most of a second to start, and until the serving line a user saw
     * nothing and could not tell a slow start from a hang.
     */
    private void starting(String what, int processes, String noun) {
        System.out.println("resh: starting " + what + " (" + processes + " " + noun + (processes == 1 ? "" : "s") + ") from "
                + config);
        System.out.flush();
    }

    /**
     * The probe of the admin port finds the client port free, since it is bound only once the replicas or servers
     * started: an equal {@code --admin-port} had them started, then failed with a bare "Address already in use" on a
     * port resh itself held. As a cluster host does ({@link ClusterServe#refuseAdminPortOnTheGateway}).
     */
    private void refuseAdminPortOnTheClientPort(String host, int clientPort, String what) {
        if (adminPort > 0 && clientPort == adminPort && ClusterServe.alsoOnAdminHost(host)) {
            throw new io.resh.core.ReshException("--admin-port: " + ClusterServe.ADMIN_HOST + ":" + adminPort
                    + " is also the " + what + " (" + (port != null ? "--port" : "listen.port in " + config.getFileName())
                    + "); the admin API needs a port of its own (0: any free one, -1: no admin API)");
        }
    }

    /** The front door's port: {@code --port}, else the config's {@code listen.port}, else 7400. */
    private int clientPort(GroupConfig cfg) {
        return port != null ? port : cfg.listenPort() < 0 ? 7400 : cfg.listenPort();
    }

    /**
     * Refuses, with {@link #portTaken}'s message, a client port another program holds, before anything starts; and,
     * naming {@code listen.host}, a host that is no address of this machine, which said only "cannot listen for
     * clients on 8.8.8.8:7400: Cannot assign requested address".
     *
     * @throws ConfigException naming {@code listen.host}
     */
    private static void refuseClientPortInUse(String host, int port, String group) {
        java.net.InetSocketAddress address = new java.net.InetSocketAddress(host, port); // port 0 probes the host alone
        String thisHost = "an address of this machine, like 127.0.0.1 or 0.0.0.0 (every interface)";
        if (address.isUnresolved()) {
            throw ConfigException.expected("listen.host", thisHost, "'" + host + "', which does not resolve");
        }
        java.io.IOException e = ListenProbe.whyNot(host, port);
        if (e instanceof java.net.BindException && e.getMessage() != null && e.getMessage().contains("assign")) {
            throw ConfigException.expected("listen.host", thisHost, "'" + host + "' (" + e.getMessage() + ")");
        }
        if (e != null) {
            throw portTaken(new io.resh.core.ReshException("cannot listen for clients on " + host + ":" + port + ": "
                    + e.getMessage(), e), group);
        }
    }

    /**
     * A client port another program holds: the JDK's "Address already in use" does not say what to change. The
     * message names the setting and the option that choose the port.
     */
    private static RuntimeException portTaken(RuntimeException e, String group) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException && e.getMessage() != null && e.getMessage().contains("in use")) {
                RunningServers.Server twin = servingAlready(group);
                // The commonest holder of the port is the same config served a moment ago, which "another program"
                // did not bring to mind.
                String holder = twin == null ? "another program has that port"
                        : "a resh serve of " + group + " runs already (pid " + twin.pid() + ", admin " + twin.url()
                                + ") and may hold it: stop that one, or";
                return new io.resh.core.ReshException(e.getMessage() + "; " + holder + (twin == null ? ": give" : " give")
                        + " listen.port in the config or --port another one (0: any free port)", e);
            }
        }
        return e;
    }

    /** The running {@code resh serve} of this home that serves {@code group}, or null (none, or no record of it). */
    private static RunningServers.Server servingAlready(String group) {
        java.nio.file.Path home = AdminConfig.homeDir();
        return new RunningServers(home.resolve("servers"), home.resolve("admin.url")).live().stream()
                .filter(s -> AdminClient.serves(s, group)).findFirst().orElse(null);
    }

    /**
     * What the group and the gateway do not log themselves: a replica being replaced, and (at debug level)
     * each stable checkpoint. They log every fault, recovery, rollback and fail-stop already; logging those
     * here too printed each of them twice.
     */
    static void logEvent(GroupEvent e) {
        if (e instanceof GroupEvent.RecoveryStarted r) {
            // Named as the group's own lines name it ("group kv: replica 0 …"), which come before and after this one.
            LOG.info("group {}: replica {} being replaced ({})", r.group(), r.replica(), r.reason());
        } else if (e instanceof GroupEvent.CheckpointStable c) {
            LOG.debug("group {}: checkpoint #{} stable ({} bytes, digest {})", c.group(), c.sequence(), c.snapshotBytes(), c.digest());
        }
    }

    /**
     * What N buys, in the words of CONCEPTS.md: "1 replicas, masks 0 faulty" was both ungrammatical and short of DMR's
     * detection; an adaptive group of 3 starts as DMR ("3 replicas, masks 1 faulty" it said, while {@code resh status}
     * said DMR, masks none).
     */
    static String redundancy(int n, boolean adaptive) {
        if (adaptive && n == 3) {
            return "3 replicas, adaptive: DMR while no fault is seen (a faulty one is detected; masks none), TMR masking 1"
                    + " faulty once the third wakes on a divergence";
        }
        return switch (n) {
            case 1 -> "1 replica, unreplicated (a crash or hang is repaired, a wrong reply is not detected)";
            case 2 -> "2 replicas, DMR (a faulty one is detected and both roll back; masks none)";
            default -> n + " replicas, masks " + (n - 1) / 2 + " faulty";
        };
    }
}
