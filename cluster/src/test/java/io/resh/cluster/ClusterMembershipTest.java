package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.resh.core.ReshException;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** Adding and removing a host with Raft reconfiguration, two hosts in this JVM. */
@Tag("e2e")
class ClusterMembershipTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private final List<ClusterNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(ClusterNode::close);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private ClusterNode start(ClusterConfig config, boolean join) {
        var group = TestGroups.counter("m-" + config.id(), 3, dir).checkpointEvery(20).build();
        ClusterNode n = join ? ClusterNode.join(config, group, List.of()) : ClusterNode.start(config, group, List.of());
        nodes.add(n);
        return n;
    }

    @Test
    void shouldAddAHostThatCatchesUpAndRemoveTheOldLeader() {
        ClusterPeer p1 = Loopback.peer("h1");
        ClusterPeer p2 = Loopback.peer("h2");
        ClusterNode h1 = start(Loopback.config("h1", List.of(p1), dir.resolve("h1"), 40), false);
        try (ClusterClient client = ClusterClient.connect(Loopback.clientAddresses(List.of(p1, p2)), Duration.ofSeconds(20))) {
            for (int i = 0; i < 100; i++) {
                client.call(utf8("add:1"));
            }
            ClusterNode h2 = start(Loopback.config("h2", List.of(p1, p2), dir.resolve("h2"), 40), true);
            h1.addPeer(p2);
            assertThat(h1.status().peers()).extracting(ClusterPeer::id).containsExactlyInAnyOrder("h1", "h2");
            await().atMost(Duration.ofSeconds(30)).until(() -> h2.status().appliedRequests() == 100);
            assertThat(h2.status().peers()).extracting(ClusterPeer::id).containsExactlyInAnyOrder("h1", "h2");
            assertThat(h2.checkpointNow().digest()).isEqualTo(h1.checkpointNow().digest());
            assertThatThrownBy(() -> h1.addPeer(p2)).isInstanceOf(ReshException.class).hasMessageContaining("already");

            h1.removePeer("h1");
            await().atMost(Duration.ofSeconds(30)).until(() -> h2.status().leading());
            assertThat(new String(client.call(utf8("add:1")), StandardCharsets.UTF_8)).isEqualTo("101");
            assertThat(h2.status().peers()).extracting(ClusterPeer::id).containsExactly("h2");
            assertThatThrownBy(() -> h2.removePeer("h9")).isInstanceOf(ReshException.class)
                    .hasMessageContaining("not a member");
        }
    }
    /**
     * Adding a host that is not running failed after seconds with Ratis's dump of the whole request. It fails
     * within the change timeout, as Ratis's refusal or as not committed in time.
     */
    @Test
    void shouldSayInOneLineThatAHostToAddDoesNotAnswer() {
        ClusterPeer p1 = Loopback.peer("h1");
        ClusterPeer p2 = Loopback.peer("h2"); // never started
        ClusterNode h1 = start(Loopback.config("h1", List.of(p1), dir.resolve("h1"), 40), false);
        await().atMost(Duration.ofSeconds(20)).until(() -> h1.status().leading());

        assertThatThrownBy(() -> h1.addPeer(p2)).isInstanceOf(ReshException.class)
                .hasMessageFindingMatch("^membership change \\(add h2\\) (failed: |not committed within 8 s)")
                .hasMessageContaining("is h2 running (resh serve --join) and reachable at " + p2.raftAddress() + "?")
                .hasMessageNotContaining("SetConfigurationRequest")
                .hasMessageNotContaining("RetryLimited");
        assertThat(h1.status().peers()).extracting(ClusterPeer::id).containsExactly("h1");
    }
}
