package io.resh.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.resh.core.ConfigException;
import io.resh.core.GroupEvent;
import io.resh.core.config.GroupConfig;
import io.resh.gateway.GatewayConfig;
import io.resh.host.ConfigFile;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a cluster host from a service config with a {@code cluster:} section, as {@code resh serve} does.
 * {@link #main} runs one host in its own JVM: {@code ClusterHost CONFIG [--id ID] [--join]}.
 */
public final class ClusterHost {
    private static final Logger LOG = LoggerFactory.getLogger("resh.cluster");

    private ClusterHost() {
    }

    /**
     * Parses both parts of the config and starts the host: a group of Java replicas for a config with a
     * {@code service:} section, a gateway in front of unmodified servers for one with a {@code server:} section.
     *
     * @param file the config file (named in errors)
     * @param tree its parsed YAML
     * @param idOverride this host's peer id, or null for {@code cluster.id}
     * @param join true for a host that is not yet a member and waits to be added
     */
    public static ClusterNode start(Path file, JsonNode tree, String idOverride, boolean join,
                                    List<Consumer<GroupEvent>> listeners) {
        return start(file, tree, idOverride, join, null, listeners);
    }

    /**
     * As {@link #start(Path, JsonNode, String, boolean, List)}, with the gateway's client port overridden
     * ({@code listenPort}, null = as configured; ignored for Java replicas, whose clients use the peer's
     * {@code client} address).
     */
    public static ClusterNode start(Path file, JsonNode tree, String idOverride, boolean join, Integer listenPort,
                                    List<Consumer<GroupEvent>> listeners) {
        return start(file, tree, idOverride, join, listenPort, listeners, () -> { });
    }

    /**
     * As {@link #start(Path, JsonNode, String, boolean, Integer, List)}; {@code beforeStarting} refuses what the
     * caller will listen on once the host is up (e.g. an admin API's port in use). It runs after the host's own
     * checks and those of its local group (its service class or server program), so a host already running is told
     * as such and a caller that says here that the host starts says it of a config that passed them, and before
     * anything starts, so a refused host has started nothing.
     */
    public static ClusterNode start(Path file, JsonNode tree, String idOverride, boolean join, Integer listenPort,
                                    List<Consumer<GroupEvent>> listeners, Runnable beforeStarting) {
        ClusterConfig cluster;
        try {
            cluster = ClusterConfig.parse(tree, idOverride);
        } catch (ConfigException e) {
            throw e.inFile(file);
        }
        JsonNode rest = ClusterConfig.withoutCluster(tree);
        if (GatewayConfig.isGatewayConfig(rest)) {
            GatewayConfig gateway;
            try {
                gateway = GatewayConfig.parse(rest, file.toString(), file.toAbsolutePath().getParent());
            } catch (ConfigException e) {
                throw e.inFile(file);
            }
            if (listenPort != null) {
                gateway = gateway.withPort(listenPort);
                // Checked here, before the check that names listen.port: this port is the option's, not the file's.
                ClusterNode.refuseListenOnAPeerAddress(cluster, gateway.listen(), "--port", file.getFileName().toString());
            }
            try {
                return ClusterNode.startGateway(cluster, gateway, listeners, join, beforeStarting);
            } catch (ConfigException e) {
                throw e.inFile(file);
            }
        }
        GroupConfig group;
        try {
            group = ConfigFile.parse(rest);
        } catch (ConfigException e) {
            throw e.inFile(file);
        }
        if (listenPort != null) {
            // Ignored, it left the user believing clients could reach the host on that port.
            throw new ConfigException("--port", "is for a gateway; the clients of a cluster host of Java replicas use"
                    + " the client address of its entry in cluster.peers of " + file.getFileName() + ": change it there");
        }
        try {
            return ClusterNode.start(cluster, group, listeners, join, beforeStarting);
        } catch (ConfigException e) {
            throw e.inFile(file); // a field only the machine can refuse, e.g. a workDir it cannot create
        }
    }

    /** Logs what the local group or gateway does not log itself (a replica being replaced). */
    public static void logEvent(GroupEvent e) {
        // The local group or gateway logs its faults, recoveries and fail-stop itself; logging them here too
        // printed each twice. What it does not log: a replica being replaced.
        if (e instanceof GroupEvent.RecoveryStarted r) {
            LOG.info("replica {} being replaced ({})", r.replica(), r.reason());
        }
    }

    /** Runs one host until the JVM is stopped. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1) {
            System.err.println("usage: ClusterHost CONFIG [--id ID] [--join]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        String id = null;
        boolean join = false;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--id") && i + 1 < args.length) {
                id = args[++i];
            } else if (args[i].equals("--join")) {
                join = true;
            } else {
                System.err.println("unknown argument: " + args[i]);
                System.exit(2);
            }
        }
        ClusterNode node = start(file, ConfigFile.readTree(file), id, join, List.of(ClusterHost::logEvent));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "resh-cluster-stop"));
        System.out.println("resh: cluster host " + node.config().id() + " serving clients on " + node.clientAddress());
        System.out.flush();
        stopped.await();
    }
}
