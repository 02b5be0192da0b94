package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.host.testing.EchoService;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A service without state still gets stable checkpoints, so the request log stays bounded. */
class StatelessCheckpointTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();
    private ReplicaGroup group;

    @Test
    void shouldMakeAnEmptySnapshotStableAndTruncateTheLog() throws Exception {
        group = groups.start(TestGroups.of("stateless", 3, EchoService.class.getName(), groups.dir())
                .checkpointEvery(100).build());
        List<CompletableFuture<byte[]>> replies = new ArrayList<>();
        for (int i = 0; i < 450; i++) {
            replies.add(group.submit(("echo " + i).getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < replies.size(); i++) {
            assertThat(new String(replies.get(i).get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8)).isEqualTo("echo " + i);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            GroupStatus s = group.status();
            assertThat(s.stableCheckpoint()).isEqualTo(400);
            assertThat(s.logLength()).isLessThanOrEqualTo(50);
        });
        assertThat(group.status().replicaStates()).extracting(ReplicaStatus::faults).containsOnly(0L);
    }
}
