package io.resh.cluster;

import static org.awaitility.Awaitility.await;

import io.resh.host.testing.TestGroups;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host whose config names another cluster (its {@code cluster.name} or {@code group:} edited on that host only)
 * runs another Raft group: the hosts said only that there was no leader, or that it did not answer the leader.
 */
@Tag("e2e")
class ClusterOtherClusterTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @RegisterExtension
    final LoggedLines logged = new LoggedLines(OtherClusterProbe.class);
    private final Map<String, ClusterNode> nodes = new LinkedHashMap<>();

    @AfterEach
    void stop() {
        nodes.values().forEach(ClusterNode::close);
    }

    private void start(ClusterPeer self, List<ClusterPeer> peers, String name) {
        ClusterConfig config = new ClusterConfig(self.id(), peers, dir.resolve(self.id()), name, Duration.ofMillis(400),
                Duration.ofMillis(800), 1000, Duration.ofSeconds(8), 64 << 10);
        nodes.put(self.id(), ClusterNode.start(config, TestGroups.counter("o-" + self.id(), 3, dir).build(), List.of()));
    }

    private static String otherClusterLine(ClusterPeer peer, String name) {
        return "host " + peer.id() + " at " + peer.raftAddress() + " answers, but runs no Raft group of this cluster '"
                + name + "' (" + ClusterNode.groupIdOf(name) + "), only [" + ClusterNode.groupIdOf(name + "2") + "]";
    }

    @Test
    void shouldSayThatTheOnlyOtherHostRunsAnotherCluster() {
        List<ClusterPeer> peers = Loopback.peers(2);
        start(peers.get(0), peers, "kv");
        start(peers.get(1), peers, "kv2");

        String line = otherClusterLine(peers.get(1), "kv");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> logged.lines().stream().anyMatch(l -> l.startsWith(line)));
    }

    @Test
    void shouldSayThatAFollowerSilentToTheLeaderRunsAnotherCluster() {
        List<ClusterPeer> peers = Loopback.peers(3);
        start(peers.get(0), peers, "kv");
        start(peers.get(1), peers, "kv");
        start(peers.get(2), peers, "kv2");

        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> nodes.get("h1").status().leader() != null);
        String line = otherClusterLine(peers.get(2), "kv");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> logged.lines().stream().anyMatch(l -> l.startsWith(line)));
    }
}
