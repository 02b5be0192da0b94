package io.resh.cli;

import io.resh.admin.AdminConfig;
import io.resh.admin.AdminServer;
import io.resh.cluster.ClusterConfig;
import io.resh.cluster.ClusterNode;
import io.resh.cluster.ClusterPeer;
import io.resh.core.config.GroupConfig;
import io.resh.gateway.server.FreePorts;
import io.resh.host.testing.TestGroups;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cluster hosts in this JVM on loopback with free ports and short Raft timeouts, each with its own admin
 * server (all sharing one token file, as hosts started from one home directory do). Closes everything it
 * started, admin servers first.
 */
final class LoopbackCluster implements AutoCloseable {
    private final Path dir;
    private final Map<String, ClusterNode> nodes = new LinkedHashMap<>();
    private final Map<String, AdminServer> admins = new LinkedHashMap<>();

    LoopbackCluster(Path dir) {
        this.dir = dir;
    }

    static ClusterPeer peer(String id) {
        return new ClusterPeer(id, InetSocketAddress.createUnresolved("127.0.0.1", FreePorts.pick()),
                InetSocketAddress.createUnresolved("127.0.0.1", FreePorts.pick()));
    }

    /** Starts host {@code self} as a member of {@code peers}, or as a joiner waiting to be added. */
    ClusterNode start(ClusterPeer self, List<ClusterPeer> peers, boolean join) {
        ClusterConfig config = new ClusterConfig(self.id(), peers, dir.resolve(self.id()), "test", Duration.ofMillis(400),
                Duration.ofMillis(800), 40, Duration.ofSeconds(8), 64 << 10);
        GroupConfig group = TestGroups.counter("c-" + self.id(), 3, dir).checkpointEvery(20).build();
        ClusterNode node = join ? ClusterNode.join(config, group, List.of()) : ClusterNode.start(config, group, List.of());
        nodes.put(self.id(), node);
        admins.put(self.id(), ClusterServe.startAdmin(node, AdminConfig.defaults().withDirectory(dir.resolve("admin-" + self.id()))
                .withTokenFile(tokenFile())));
        return node;
    }

    /** Starts every peer of {@code peers} as a member. */
    List<ClusterNode> startAll(List<ClusterPeer> peers) {
        List<ClusterNode> out = new ArrayList<>();
        peers.forEach(p -> out.add(start(p, peers, false)));
        return out;
    }

    Path tokenFile() {
        return dir.resolve("admin.token");
    }

    AdminServer admin(String id) {
        return admins.get(id);
    }

    ClusterNode node(String id) {
        return nodes.get(id);
    }

    /** Stops host {@code id} (its admin server first). */
    void stop(String id) {
        AdminServer a = admins.remove(id);
        if (a != null) {
            a.close();
        }
        ClusterNode n = nodes.remove(id);
        if (n != null) {
            n.close();
        }
    }

    @Override
    public void close() {
        new ArrayList<>(nodes.keySet()).forEach(this::stop);
    }
}
