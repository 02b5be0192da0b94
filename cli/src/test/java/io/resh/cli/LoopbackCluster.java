package io.resh.cli;

import io.resh.admin.AdminConfig;
import io.resh.admin.AdminServer;
import io.resh.cluster.ClusterConfig;
import io.resh.cluster.ClusterNode;
import io.resh.cluster.ClusterPeer;
import io.resh.core.config.GroupConfig;
import io.resh.gateway.server.FreePorts;
import io.resh.host.testing.CounterService;
import io.resh.host.testing.TestGroups;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Cluster hosts in this JVM on loopback with free ports and short Raft timeouts, each with its own admin
 * server (all sharing one token file, as hosts started from one home directory do), and hosts run by
 * {@code resh serve} in JVMs of their own with the same settings ({@link #serve}), for a test that must pause
 * one. Closes everything it started, admin servers first.
 */
final class LoopbackCluster implements AutoCloseable {
    private static final long SNAPSHOT_EVERY = 40;
    /** How long a host waits for a request, or a membership change, to commit. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(8);
    private static final long SEGMENT_BYTES = 64 << 10;
    private static final int CHECKPOINT_EVERY = 20;
    private final Path dir;
    private final Duration electionMin;
    private final Duration electionMax;
    private final Map<String, ClusterNode> nodes = new LinkedHashMap<>();
    private final Map<String, AdminServer> admins = new LinkedHashMap<>();
    private final Map<String, ServedHost> served = new LinkedHashMap<>();

    LoopbackCluster(Path dir) {
        this(dir, Duration.ofMillis(400), Duration.ofMillis(800));
    }

    /**
     * With the election timeout between {@code electionMin} and {@code electionMax}: longer for a test that must act
     * on a leader before the others replace it, on a machine loaded enough to take the short default.
     */
    LoopbackCluster(Path dir, Duration electionMin, Duration electionMax) {
        this.dir = dir;
        this.electionMin = electionMin;
        this.electionMax = electionMax;
    }

    static ClusterPeer peer(String id) {
        return new ClusterPeer(id, InetSocketAddress.createUnresolved("127.0.0.1", freePort()),
                InetSocketAddress.createUnresolved("127.0.0.1", freePort()));
    }

    /** Every port picked in this JVM: a pick is free when made but not held, so two picks could return the same one. */
    private static final Set<Integer> PICKED = ConcurrentHashMap.newKeySet();

    private static int freePort() {
        int port;
        do {
            port = FreePorts.pick();
        } while (!PICKED.add(port));
        return port;
    }

    /** Starts host {@code self} as a member of {@code peers}, or as a joiner waiting to be added. */
    ClusterNode start(ClusterPeer self, List<ClusterPeer> peers, boolean join) {
        ClusterConfig config = new ClusterConfig(self.id(), peers, dir.resolve(self.id()), "test", electionMin,
                electionMax, SNAPSHOT_EVERY, REQUEST_TIMEOUT, SEGMENT_BYTES);
        GroupConfig group = TestGroups.counter("c-" + self.id(), 3, dir).checkpointEvery(CHECKPOINT_EVERY).build();
        ClusterNode node = join ? ClusterNode.join(config, group, List.of()) : ClusterNode.start(config, group, List.of());
        nodes.put(self.id(), node);
        admins.put(self.id(), ClusterServe.startAdmin(node, AdminConfig.defaults().withDirectory(dir.resolve("admin-" + self.id()))
                .withTokenFile(tokenFile())));
        return node;
    }

    /**
     * Starts host {@code self} as a member of {@code peers} with {@code resh serve} in a JVM of its own, the
     * settings of {@link #start} in its config file, and its admin API on the token of the hosts in this JVM;
     * returns once its admin API listens. Start a host in this JVM first: it writes the token.
     */
    ServedHost serve(ClusterPeer self, List<ClusterPeer> peers) {
        StringBuilder y = new StringBuilder();
        String jvm = TestGroups.FAST_JVM.stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(", "));
        y.append("group: c-").append(self.id()).append("\nreplicas: 3\n");
        y.append("service: {class: ").append(CounterService.class.getName()).append(", jvmArgs: [").append(jvm).append("]}\n");
        y.append("checkpoint: {every: ").append(CHECKPOINT_EVERY).append("}\ndeadline: 1500ms\n");
        y.append("heartbeat: {interval: 100ms, timeout: 1s}\nstartTimeout: 20s\nseed: 42\n");
        y.append("workDir: ").append(dir.resolve("c-" + self.id())).append('\n');
        y.append("cluster:\n  name: test\n  storage: ").append(dir.resolve(self.id())).append('\n');
        y.append("  election: {min: ").append(electionMin.toMillis()).append("ms, max: ").append(electionMax.toMillis())
                .append("ms}\n");
        y.append("  snapshotEvery: ").append(SNAPSHOT_EVERY).append("\n  requestTimeout: ").append(REQUEST_TIMEOUT.toMillis())
                .append("ms\n  logSegmentBytes: ").append(SEGMENT_BYTES).append("\n  peers:\n");
        for (ClusterPeer p : peers) {
            y.append("    - {id: ").append(p.id()).append(", address: \"").append(p.raftAddress())
                    .append("\", client: \"").append(p.clientAddress()).append("\"}\n");
        }
        ServedHost h = ServedHost.start(dir.resolve("served-" + self.id()), self.id(), y.toString(), tokenFile());
        served.put(self.id(), h);
        return h;
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
        served.values().forEach(ServedHost::close);
        served.clear();
    }
}
