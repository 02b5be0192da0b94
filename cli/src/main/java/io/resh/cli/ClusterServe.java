package io.resh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.resh.admin.AdminConfig;
import io.resh.admin.AdminServer;
import io.resh.cluster.ClusterConfig;
import io.resh.cluster.ClusterHost;
import io.resh.cluster.ClusterNode;
import io.resh.cluster.ClusterPeer;
import io.resh.core.ReshException;
import io.resh.gateway.Gateway;
import io.resh.gateway.GatewayConfig;
import io.resh.host.net.ListenProbe;
import io.resh.host.ReplicaGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * {@code resh serve CONFIG} for a config with a {@code cluster:} section: runs this host of a D-RESH
 * cluster (a Ratis server ordering requests for the local voted replica group, and the front door)
 * until the process is stopped. See docs/CLUSTER.md.
 */
final class ClusterServe {
    /** How often the waiting main thread looks whether the host was removed from the cluster. */
    private static final long REMOVAL_CHECK_MILLIS = 200;
    static final String ADMIN_HOST = "127.0.0.1";
    /** How a cluster address on the admin API's own loopback interface may be written. */
    private static final Set<String> LOOPBACK_NAMES = Set.of("127.0.0.1", "localhost");
    /** Listen addresses that take a port on every address of this machine, loopback too. */
    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "*");

    private ClusterServe() {
    }

    /** True when {@code tree} asks for cluster mode. */
    static boolean wanted(JsonNode tree) {
        return ClusterConfig.present(tree);
    }

    /** {@link #run(Path, JsonNode, String, boolean, Integer, int)} with the id from the file, as a member, admin on any free port. */
    static int run(Path config, JsonNode tree) throws InterruptedException {
        return run(config, tree, null, false, null, 0);
    }

    /**
     * Starts this host and its admin API, and blocks until the JVM shuts down (Ctrl-C, SIGTERM).
     *
     * @param config the config file, for error messages
     * @param tree its parsed YAML, with a {@code cluster:} section
     * @param id this host's peer id, or null to use {@code cluster.id}
     * @param join true when this host is not yet a member and waits to be added (membership change)
     * @param port the gateway's client port for a host of unmodified servers (null = {@code listen.port})
     * @param adminPort port of the admin API on 127.0.0.1 (0 = any free port, -1 = no admin API)
     * @return the process exit code
     */
    static int run(Path config, JsonNode tree, String id, boolean join, Integer port, int adminPort)
            throws InterruptedException {
        ServeExit exit;
        try {
            exit = new ServeExit("loading " + config.getFileName() + "; nothing was started");
        } catch (ServeExit.Stopped e) {
            return 1;
        }
        try {
            return run(config, tree, id, join, port, adminPort, exit);
        } catch (ServeExit.Stopped e) {
            return 1; // the exit hook closes what was started and says so
        } catch (RuntimeException e) {
            exit.fail();
            throw e;
        }
    }

    /**
     * As {@link #run(Path, JsonNode, String, boolean, Integer, int)}, what it starts closed by {@code exit}'s hook.
     *
     * @throws ServeExit.Stopped when the JVM began to exit during the start
     */
    static int run(Path config, JsonNode tree, String id, boolean join, Integer port, int adminPort, ServeExit exit)
            throws InterruptedException {
        ClusterNode node = exit.start("host", () -> ClusterHost.start(config, tree, id, join, port,
                List.of(ClusterHost::logEvent), () -> {
            ClusterConfig cluster = ClusterConfig.parse(tree, id);
            refuseAdminPortOnAClusterAddress(cluster, adminPort, config.getFileName().toString());
            refuseAdminPortOnTheGateway(tree, port, adminPort, config.getFileName().toString());
            refuseAdminPortInUse(adminPort);
            // From here a stop says that the host stopped; before, that it stopped while loading.
            exit.starting("cluster host " + cluster.id(), "resh: cluster host " + cluster.id() + " stopped");
            // Raft and the replicas take a while to start: say at once what is starting. The config passed the checks
            // of the host and of its local group here (a misspelt service class, a server program not installed), as
            // a plain resh serve says "starting group" only once its group passed them.
            System.out.println("resh: starting cluster host " + cluster.id() + " from " + config);
            System.out.flush();
        }), n -> n::close);
        // Closed before the node (the hook closes the newest first): it detaches from the node's local group.
        AdminServer admin = adminPort < 0 ? null : exit.start("admin",
                () -> startAdmin(node, AdminConfig.defaults().withListen(ADMIN_HOST, adminPort)), a -> a::close);
        // A host removed from the cluster serves nothing more (Ratis stopped it): end rather than linger.
        CountDownLatch removed = new CountDownLatch(1);
        node.onRemoved(removed::countDown);
        // Not --join but the Raft configuration decides: a removed host restarted on its storage is no member either.
        boolean waiting = !node.member();
        System.out.println(waiting ? waitingLine(node) : servingLine(node));
        if (node.gateway() != null) {
            System.out.println("resh: " + node.gateway() + "; requests ordered through the cluster's Raft log");
        }
        if (admin != null) {
            System.out.println("admin: " + admin.url());
            System.out.println("dashboard: " + admin.dashboardUrl());
        }
        System.out.flush();
        while (!exit.awaitStopped(REMOVAL_CHECK_MILLIS)) {
            if (waiting && node.member()) {
                waiting = false;
                System.out.println(servingLine(node));
                System.out.flush();
            }
            if (removed.getCount() == 0) {
                exit.stopNow();
                if (node.removedFromCluster()) {
                    System.out.println("resh: cluster host " + node.config().id() + " was removed from the cluster; stopped");
                    System.out.flush();
                    return 0;
                }
                // Not asked for: a supervisor that restarts failed services must see a failure.
                System.err.println("resh: cluster host " + node.config().id() + " was stopped by its Raft server although"
                        + " still a member (its log says why); restart it");
                return 1;
            }
        }
        return 0;
    }

    /**
     * The admin API starts once the host is up: a taken port failed after the host had logged that it was up, its
     * local group and storage left to be closed. Checked before the host starts anything, after its own checks;
     * a port taken between this check and the bind still fails there.
     */
    static void refuseAdminPortInUse(int adminPort) {
        if (adminPort <= 0) {
            return; // none, or any free port
        }
        IOException e = ListenProbe.whyNot(ADMIN_HOST, adminPort);
        if (e != null) {
            throw new ReshException("admin: cannot listen on " + ADMIN_HOST + ":" + adminPort + ": " + e.getMessage()
                    + "; give --admin-port another port (0: any free one, -1: no admin API)", e);
        }
    }

    /**
     * The port probe above finds a cluster address free, since the host binds it only once it starts: an
     * {@code --admin-port} equal to this host's Raft or client port failed only after the host had started, with a
     * bare "Address already in use"; equal to another host's on this machine, it would take that host's port.
     */
    static void refuseAdminPortOnAClusterAddress(ClusterConfig cluster, int adminPort, String file) {
        if (adminPort <= 0) {
            return; // none, or any free port
        }
        List<ClusterPeer> peers = cluster.peers();
        for (int i = 0; i < peers.size(); i++) {
            ClusterPeer p = peers.get(i);
            for (String field : List.of("address", "client")) {
                InetSocketAddress a = field.equals("address") ? p.address() : p.client();
                // This host's own addresses are on this machine however written; another's only if on loopback.
                boolean here = p.id().equals(cluster.id()) || LOOPBACK_NAMES.contains(a.getHostString());
                if (a.getPort() == adminPort && here) {
                    throw new ReshException("--admin-port: " + ADMIN_HOST + ":" + adminPort + " is also " + p.id() + "'s "
                            + field + " (cluster.peers[" + i + "]." + field + " in " + file + "); the admin API needs"
                            + " a port of its own (0: any free one, -1: no admin API)");
                }
            }
        }
    }

    /** As above for a gateway's client port, which the gateway too binds only once the host starts. */
    static void refuseAdminPortOnTheGateway(JsonNode tree, Integer port, int adminPort, String file) {
        JsonNode rest = ClusterConfig.withoutCluster(tree);
        if (adminPort <= 0 || !GatewayConfig.isGatewayConfig(rest)) {
            return;
        }
        JsonNode listen = rest.path("listen");
        int gatewayPort = port != null ? port : listen.path("port").asInt(0);
        String host = listen.path("host").asText(ADMIN_HOST);
        if (gatewayPort == adminPort && alsoOnAdminHost(host)) {
            throw new ReshException("--admin-port: " + ADMIN_HOST + ":" + adminPort + " is also the gateway's port ("
                    + (port != null ? "--port" : "listen.port in " + file) + "); the admin API needs a port of its own"
                    + " (0: any free one, -1: no admin API)");
        }
    }

    /** True when a port bound on {@code host} is also that port on the admin API's 127.0.0.1. */
    static boolean alsoOnAdminHost(String host) {
        return LOOPBACK_NAMES.contains(host) || WILDCARDS.contains(host);
    }

    /**
     * Names the members as the Raft configuration has them, not {@code cluster.peers}: after a host was added or
     * removed, the file's list is only where the cluster began.
     */
    private static String servingLine(ClusterNode node) {
        ClusterConfig c = node.config();
        return String.format("resh: cluster host %s of %s serving clients on %s; Raft on %s; log in %s", c.id(),
                node.status().peers().stream().map(ClusterPeer::id).sorted().toList(), hostAndPort(node.clientAddress()),
                c.self().raftAddress(), c.storage());
    }

    /**
     * Until a member adds it, a host answers every client request with "not a member": say so, and how to add
     * it. The URL is a member's: this host's own admin API is the one {@code resh serve} just wrote as the default.
     */
    private static String waitingLine(ClusterNode node) {
        ClusterConfig c = node.config();
        return String.format("resh: cluster host %s is waiting to be added to the cluster (it is not a member, so it serves"
                + " no clients yet); to add it, run: resh cluster add --id %s --address %s --client %s --url <a member's"
                + " admin URL>; log in %s", c.id(), c.id(), c.self().raftAddress(), c.self().clientAddress(), c.storage());
    }

    /** {@code 127.0.0.1:7401}, not InetSocketAddress's {@code /127.0.0.1:7401}. */
    private static String hostAndPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    /**
     * The admin API of a cluster host: {@code /api/cluster} on {@code node}, and its local replica group
     * under {@code /api/groups} (its gateway under {@code /api/gateways}). After this host installs a snapshot from
     * the leader, the node runs a new group or gateway, and the admin API follows it.
     */
    static AdminServer startAdmin(ClusterNode node, AdminConfig config) {
        ReplicaGroup local = node.group();
        Gateway gateway = node.gateway();
        GatewayAdminView gatewayView = gateway == null ? null : new GatewayAdminView(gateway);
        AdminServer admin = AdminServer.start(config, local == null ? List.of() : List.of(local), new NodeMembership(node),
                gatewayView == null ? List.of() : List.of(gatewayView));
        if (gatewayView != null) {
            // A gateway host restarts its gateway from the leader's snapshot too: /api/gateways follows it the same way.
            node.onLocalGatewayRestarted(gatewayView::follow);
            Gateway now = node.gateway();
            if (now != null) {
                gatewayView.follow(now);
            }
        }
        // A joining host restarts its group from the leader's snapshot: the admin follows it.
        Consumer<ReplicaGroup> follow = g -> {
            try {
                admin.replace(g);
            } catch (IllegalArgumentException e) {
                LoggerFactory.getLogger("resh").warn("admin: cannot watch the restarted local group: {}", e.getMessage());
            }
        };
        node.onLocalGroupRestarted(follow);
        // It may have restarted already, between node.group() above and the listener: follow that one too
        // (replace() ignores the group it already watches).
        ReplicaGroup now = node.group();
        if (now != null && now != local) {
            follow.accept(now);
        }
        return admin;
    }
}
