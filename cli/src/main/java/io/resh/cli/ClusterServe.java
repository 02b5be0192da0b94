package io.resh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.resh.cluster.ClusterConfig;
import io.resh.cluster.ClusterHost;
import io.resh.cluster.ClusterNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * {@code resh serve CONFIG} for a config with a {@code cluster:} section: runs this host of a D-RESH
 * cluster (a Ratis server ordering requests for the local voted replica group, and the front door)
 * until the process is stopped. See docs/CLUSTER.md.
 */
final class ClusterServe {
    private ClusterServe() {
    }

    /** True when {@code tree} asks for cluster mode. */
    static boolean wanted(JsonNode tree) {
        return ClusterConfig.present(tree);
    }

    /** {@link #run(Path, JsonNode, String, boolean, Integer, Consumer)} with the id from the file, as a member. */
    static int run(Path config, JsonNode tree) throws InterruptedException {
        return run(config, tree, null, false, null, node -> { });
    }

    /**
     * Starts this host and blocks until the JVM shuts down (Ctrl-C, SIGTERM).
     *
     * @param config the config file, for error messages
     * @param tree its parsed YAML, with a {@code cluster:} section
     * @param id this host's peer id, or null to use {@code cluster.id}
     * @param join true when this host is not yet a member and waits to be added (membership change)
     * @param port the gateway's client port for a host of unmodified servers (null = {@code listen.port})
     * @param started called once the host serves, e.g. to attach the admin API to {@code node.status()},
     *     {@code node.addPeer}, {@code node.removePeer}
     * @return the process exit code
     */
    static int run(Path config, JsonNode tree, String id, boolean join, Integer port, Consumer<ClusterNode> started)
            throws InterruptedException {
        ClusterNode node = ClusterHost.start(config, tree, id, join, port, List.of(ClusterHost::logEvent));
        started.accept(node);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "resh-cluster-stop"));
        ClusterConfig c = node.config();
        System.out.printf("resh: cluster host %s of %s serving clients on %s; Raft on %s; log in %s%s%n", c.id(),
                c.peers().stream().map(p -> p.id()).toList(), node.clientAddress(), c.self().raftAddress(), c.storage(),
                join ? " (waiting to be added)" : "");
        if (node.gateway() != null) {
            System.out.println("resh: " + node.gateway() + "; requests ordered through the cluster's Raft log");
        }
        System.out.flush();
        stopped.await();
        return 0;
    }
}
