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
 * With Ratis's gRPC warnings quieted in the shipped log config, the leader says in one line that a member
 * stopped answering it, and in one more that it answers again.
 */
@Tag("e2e")
class ClusterFollowerWatchTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @RegisterExtension
    final LoggedLines logged = new LoggedLines(ClusterNode.class);
    private final Map<String, ClusterNode> nodes = new LinkedHashMap<>();

    @AfterEach
    void stop() {
        nodes.values().forEach(ClusterNode::close);
    }

    private void start(ClusterConfig config) {
        nodes.put(config.id(), ClusterNode.start(config, TestGroups.counter("w-" + config.id(), 3, dir).build(),
                List.of()));
    }

    @Test
    void shouldSayOnceThatAFollowerIsSilentAndOnceThatItAnswersAgain() {
        List<ClusterPeer> peers = Loopback.peers(3);
        for (ClusterPeer p : peers) {
            // Timeouts longer than the other tests': the lines are the old leader's, so a leader that steps down
            // because a second member was slow to answer on a loaded machine (seen with 400-800 ms) voids the test.
            start(Loopback.config(p.id(), peers, dir.resolve(p.id()), 1000, Duration.ofSeconds(1), Duration.ofSeconds(2)));
        }
        String leader = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(
                () -> nodes.values().stream().filter(n -> n.status().leading()).findFirst()
                        .map(n -> n.config().id()).orElse(null), id -> id != null);
        ClusterConfig follower = nodes.get(peers.stream().map(ClusterPeer::id).filter(id -> !id.equals(leader))
                .findFirst().orElseThrow()).config();

        nodes.remove(follower.id()).close();
        String silent = "host " + follower.id() + " does not answer the leader " + leader + " (silent for over 2 s);"
                + " Raft keeps trying it, and the cluster commits while a majority answers";
        await().atMost(Duration.ofSeconds(30)).until(() -> logged.lines().contains(silent));

        start(follower);
        String again = "host " + follower.id() + " answers the leader " + leader + " again";
        await().atMost(Duration.ofSeconds(30)).until(() -> logged.lines().contains(again));
        assertThat(logged.lines()).as("one line each, not one per retry").filteredOn(l -> l.equals(silent)).hasSize(1);
    }
}
