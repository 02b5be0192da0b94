package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
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

    /**
     * A host whose config gives itself another address than the others' configs listens where no one sends: it never
     * hears a leader, and the leader only sees it silent. The host says which address the cluster has for it.
     */
    @Test
    void shouldSayThatTheClusterHasThisHostAtAnotherAddress() {
        List<ClusterPeer> peers = Loopback.peers(3);
        start(peers.get(0), peers, "kv");
        start(peers.get(2), peers, "kv");
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> nodes.get("h1").status().leader() != null && !nodes.get("h1").status().leader().isEmpty());

        ClusterPeer moved = new ClusterPeer("h2", java.net.InetSocketAddress.createUnresolved("127.0.0.1",
                Loopback.freePort()), peers.get(1).client());
        start(moved, List.of(peers.get(0), moved, peers.get(2)), "kv");

        String line = " has h2 at " + peers.get(1).raftAddress() + " in this cluster's Raft configuration, but this"
                + " host's config puts it at " + moved.raftAddress() + ": Raft sends to h2 at the address the"
                + " configuration holds, so a host listening elsewhere hears nothing; give every host the same"
                + " cluster.peers";
        await().atMost(Duration.ofSeconds(30)).until(() -> logged.lines().stream()
                .anyMatch(l -> (l.startsWith("host h1") || l.startsWith("host h3")) && l.endsWith(line)));
        // The leader's side: where its configuration has h2, nothing listens.
        await().atMost(Duration.ofSeconds(30)).until(() -> logged.lines().contains(refusedLine(peers.get(1))));
        assertThat(logged.lines()).as("one line, not one per probe").containsOnlyOnce(refusedLine(peers.get(1)));
    }

    private static String refusedLine(ClusterPeer peer) {
        return "nothing listens at " + peer.raftAddress() + " for host " + peer.id() + " (connection refused): it is not"
                + " running, or its config gives it another address than this cluster's Raft configuration does"
                + " (cluster.peers differ between the hosts)";
    }

    /** A member that was never started: the leader sees it silent, and says that nothing listens at its address. */
    @Test
    void shouldSayThatNothingListensWhereAMemberShouldBe() {
        List<ClusterPeer> peers = Loopback.peers(3);
        start(peers.get(0), peers, "kv");
        start(peers.get(2), peers, "kv");
        await().atMost(Duration.ofSeconds(30)).until(() -> logged.lines().contains(refusedLine(peers.get(1))));
        assertThat(logged.lines()).noneMatch(l -> l.contains("for host h1") || l.contains("for host h3"));
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
