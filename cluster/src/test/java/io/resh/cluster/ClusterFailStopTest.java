package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.resh.core.GroupEvent;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader whose own group fail-stops hands the leadership to a healthy host, so the cluster keeps
 * answering. Host h1 runs DMR (two replicas: a disagreement it cannot resolve stops it), h2 and h3 run
 * TMR (they outvote the same disagreement).
 */
@Tag("e2e")
class ClusterFailStopTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private final List<ClusterNode> nodes = new ArrayList<>();
    private final List<GroupEvent> h1Events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(ClusterNode::close);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldHandTheLeadershipOnWhenTheLeadersGroupFailStops() {
        List<ClusterPeer> peers = Loopback.peers(3);
        for (ClusterPeer p : peers) {
            int replicas = p.id().equals("h1") ? 2 : 3;
            var group = TestGroups.counter("fs-" + p.id(), replicas, dir).checkpointEvery(50).build();
            nodes.add(ClusterNode.start(Loopback.config(p.id(), peers, dir.resolve(p.id()), 1000), group,
                    p.id().equals("h1") ? List.of(h1Events::add) : List.of()));
        }
        ClusterNode h1 = nodes.get(0);
        await().atMost(Duration.ofSeconds(20)).until(() -> !h1.status().leader().isEmpty());
        if (!h1.status().leading()) {
            h1.transferLeadership("h1");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> n.status().leader().equals("h1")));

        try (ClusterClient client = ClusterClient.connect(Loopback.clientAddresses(peers), Duration.ofSeconds(20))) {
            assertThat(new String(client.call(utf8("add:5")), StandardCharsets.UTF_8)).isEqualTo("5");
            // "poison": replica 1 of every host answers differently. TMR outvotes it; h1's DMR cannot and
            // stops, and as leader its outcome is the one the client sees.
            assertThatThrownBy(() -> client.call(utf8("poison"))).hasMessageContaining("fail-stop");
            await().atMost(Duration.ofSeconds(10)).until(() -> h1Events.stream().anyMatch(GroupEvent.FailStopped.class::isInstance));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                String leader = nodes.get(1).status().leader();
                return !leader.isEmpty() && !leader.equals("h1");
            });
            assertThat(new String(client.call(utf8("add:1")), StandardCharsets.UTF_8)).isEqualTo("6");
            assertThat(h1.status().leading()).isFalse();

            // With the new leader gone too, the remaining healthy host is preferred over the stopped one.
            ClusterNode second = nodes.stream().filter(n -> n.status().leading()).findFirst().orElseThrow();
            String survivor = second.config().id().equals("h2") ? "h3" : "h2";
            second.close();
            nodes.remove(second);
            await().atMost(Duration.ofSeconds(30)).until(() -> h1.status().leader().equals(survivor));
            assertThat(new String(client.call(utf8("add:1")), StandardCharsets.UTF_8)).isEqualTo("7");
        }
    }
}
