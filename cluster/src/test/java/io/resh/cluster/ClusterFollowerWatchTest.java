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
 * stopped answering it, and in one more that it answers again; a leader that hands its role on says it no
 * longer watches the members it warned of.
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

    /** Starts three hosts and returns the one that leads. */
    private String startThree(List<ClusterPeer> peers) {
        for (ClusterPeer p : peers) {
            // Timeouts longer than the other tests': the lines are the old leader's, so a leader that steps down
            // because a second member was slow to answer on a loaded machine (seen with 400-800 ms) voids the test.
            start(Loopback.config(p.id(), peers, dir.resolve(p.id()), 1000, Duration.ofSeconds(1), Duration.ofSeconds(2)));
        }
        return await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(
                () -> nodes.values().stream().filter(n -> n.status().leading()).findFirst()
                        .map(n -> n.config().id()).orElse(null), id -> id != null);
    }

    private static String silentLine(String follower, String leader) {
        return "host " + follower + " does not answer the leader " + leader + " (silent for over 2 s);"
                + " Raft keeps trying it, and the cluster commits while a majority answers";
    }

    /**
     * A host whose peers are not up stays a candidate for as long as they are not: it says so once, with what an
     * election needs, and once more when it knows a leader. Before, it was silent throughout.
     */
    @Test
    void shouldSayOnceThatAHostKnowsNoLeaderAndOnceThatItKnowsOneAgain() {
        List<ClusterPeer> peers = Loopback.peers(3);
        start(Loopback.config("h1", peers, dir.resolve("h1"), 1000));
        // the role may be CANDIDATE or FOLLOWER between two elections
        String leaderless = "host h1 has known no leader for over 1600 ms: this host h1 is ";
        await().atMost(Duration.ofSeconds(30)).until(() -> logged.lines().stream().anyMatch(l -> l.startsWith(leaderless)));
        assertThat(logged.lines()).filteredOn(l -> l.startsWith(leaderless)).singleElement().asString()
                .contains(" in term ").endsWith(", and electing a leader takes a majority (2 of the 3 members) running and reachable;"
                        + " requests wait or fail until one is elected");

        start(Loopback.config("h2", peers, dir.resolve("h2"), 1000));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> logged.lines().stream().anyMatch(l -> l.startsWith("host h1 now knows a leader: ")));
        assertThat(logged.lines()).as("one line while leaderless, not one per watch").filteredOn(l -> l.startsWith(leaderless))
                .hasSize(1);
    }

    /** A host waiting to be added knows no members: it said "electing a leader takes a majority (1 of the 0 members)". */
    @Test
    void shouldSayThatAJoiningHostKnowsNoMembersYet() {
        List<ClusterPeer> peers = Loopback.peers(2);
        ClusterConfig config = Loopback.config("h2", peers, dir.resolve("h2"), 1000);
        nodes.put(config.id(), ClusterNode.join(config, TestGroups.counter("w-h2", 3, dir).build(), List.of()));

        String leaderless = "host h2 has known no leader for over 1600 ms: this host h2 is ";
        await().atMost(Duration.ofSeconds(30)).until(() -> logged.lines().stream().anyMatch(l -> l.startsWith(leaderless)));
        assertThat(logged.lines()).filteredOn(l -> l.startsWith(leaderless)).singleElement().asString()
                .doesNotContain("of the 0 members").endsWith(" and knows no members yet, as a host waiting to be added:"
                        + " it learns them and the leader once a member adds it (resh cluster add)");
    }

    @Test
    void shouldSayOnceThatAFollowerIsSilentAndOnceThatItAnswersAgain() {
        List<ClusterPeer> peers = Loopback.peers(3);
        String leader = startThree(peers);
        ClusterConfig follower = nodes.get(peers.stream().map(ClusterPeer::id).filter(id -> !id.equals(leader))
                .findFirst().orElseThrow()).config();

        nodes.remove(follower.id()).close();
        String silent = silentLine(follower.id(), leader);
        await().atMost(Duration.ofSeconds(30)).until(() -> logged.lines().contains(silent));

        start(follower);
        String again = "host " + follower.id() + " answers the leader " + leader + " again";
        await().atMost(Duration.ofSeconds(30)).until(() -> logged.lines().contains(again));
        assertThat(logged.lines()).as("one line each, not one per retry").filteredOn(l -> l.equals(silent)).hasSize(1);
    }

    @Test
    void shouldSayThatItStopsWatchingASilentFollowerWhenTheLeadershipMoves() {
        List<ClusterPeer> peers = Loopback.peers(3);
        String leader = startThree(peers);
        List<String> followers = peers.stream().map(ClusterPeer::id).filter(id -> !id.equals(leader)).toList();
        String stopped = followers.get(0);
        String next = followers.get(1);

        nodes.remove(stopped).close();
        await().atMost(Duration.ofSeconds(30)).until(() -> logged.lines().contains(silentLine(stopped, leader)));

        nodes.get(leader).transferLeadership(next);
        String prefix = "host " + leader + " no longer leads (now FOLLOWER in term ";
        String rest = ") and stops watching " + stopped + ", silent until now;"
                + " the next leader warns again of any that stay silent";
        await().atMost(Duration.ofSeconds(30)).until(
                () -> logged.lines().stream().anyMatch(l -> l.startsWith(prefix) && l.endsWith(rest)));
        // The new leader takes over the watch and warns of the host still down.
        await().atMost(Duration.ofSeconds(30)).until(() -> logged.lines().contains(silentLine(stopped, next)));
    }
}
