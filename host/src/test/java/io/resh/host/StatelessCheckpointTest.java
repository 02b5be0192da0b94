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
            // #400, or past it: periodic checkpoints deferred while one was being made are made up at the last request
            assertThat(s.stableCheckpoint()).isBetween(400L, 450L);
            assertThat(s.logLength()).isLessThanOrEqualTo(50);
        });
        assertThat(group.status().replicaStates()).extracting(ReplicaStatus::faults).containsOnly(0L);
    }

    /**
     * A replica that lags when the last checkpoint becomes stable makes the group keep the log for its late
     * replies; once it caught up, that log goes, even though no later checkpoint comes (the group is idle).
     * It used to stay until the next checkpoint: the race behind this class's other test failing now and then.
     */
    @Test
    void shouldTruncateTheLogWhenALaggingReplicaCatchesUpAfterTheLastCheckpoint() throws Exception {
        group = groups.start(TestGroups.of("laggard", 3, EchoService.class.getName(), groups.dir())
                .checkpointEvery(100).deadline(Duration.ofSeconds(60)).heartbeatTimeout(Duration.ofSeconds(60)).build());
        long laggard = group.status().replicaStates().get(2).pid();
        Signals.stop(laggard);
        try {
            List<CompletableFuture<byte[]>> replies = new ArrayList<>();
            for (int i = 0; i < 450; i++) {
                replies.add(group.submit(("echo " + i).getBytes(StandardCharsets.UTF_8)));
            }
            for (int i = 0; i < replies.size(); i++) {
                assertThat(new String(replies.get(i).get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8))
                        .isEqualTo("echo " + i);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> group.status().stableCheckpoint() >= 400);
            assertThat(group.status().logLength()).as("kept for the stopped replica's late replies").isGreaterThan(400);
        } finally {
            Signals.resume(laggard);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(
                () -> assertThat(group.status().logLength()).isLessThanOrEqualTo(50));
        assertThat(group.status().replicaStates()).extracting(ReplicaStatus::faults).containsOnly(0L);
    }
}
