package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.host.testing.ForgetfulCounterService;
import io.resh.host.testing.GroupEvents;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A snapshot that leaves out state the replies read (WRITING-A-SERVICE.md: "the whole state"). */
@Tag("e2e")
class IncompleteSnapshotTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();

    private final GroupEvents events = new GroupEvents();

    /**
     * Before: every replacement of the crashed replica restored the checkpoint, diverged at the same request and
     * was replaced again, each time as "reply to #3 differs", blaming the replica until it backed off for good;
     * nothing said that the service's snapshot was the cause.
     */
    @Test
    void shouldSayWhenEveryReplacementDivergesAtTheSameRequestAfterRestoringTheCheckpoint() {
        ReplicaGroup group = groups.start(TestGroups.of("forgetful", 3, ForgetfulCounterService.class.getName(), groups.dir())
                .checkpointEvery(2).build(), List.of(events.listener()));
        for (int i = 0; i < 3; i++) {
            group.call("ab".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> group.stableCheckpoint().sequence() == 2);

        group.faults().crash(1).join();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events.of(GroupEvent.FaultDetected.class,
                f -> f.kind() == FaultKind.DIVERGENCE && f.replica() == 1 && f.evidence().contains("its previous process"))).first()
                .satisfies(f -> assertThat(f.evidence()).contains("reply to #3 differs",
                        "its previous process diverged at #3 too, both replaying from checkpoint #2",
                        "snapshot/restore leave out state the replies depend on")));
    }

    /**
     * Before: a replica crashed right at a checkpoint; its replacement restored it, had nothing to replay, rejoined
     * and diverged at the next request as an active replica, which was not remembered. Its successor, replaying that
     * request, diverged there too without a word of the snapshot; only the third process said so.
     */
    @Test
    void shouldSayItWhenTheFirstReplacementRejoinedWithNothingToReplay() {
        ReplicaGroup group = groups.start(TestGroups.of("forgetful-at-checkpoint", 3, ForgetfulCounterService.class.getName(),
                groups.dir()).checkpointEvery(2).build(), List.of(events.listener()));
        for (int i = 0; i < 2; i++) {
            group.call("ab".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> group.stableCheckpoint().sequence() == 2);
        group.faults().crash(1).join();
        await().atMost(Duration.ofSeconds(20)).until(() -> !events.of(GroupEvent.RecoveryCompleted.class, r -> r.replica() == 1).isEmpty());

        group.call("ab".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));

        await().atMost(Duration.ofSeconds(30)).until(() -> events.of(GroupEvent.FaultDetected.class,
                f -> f.kind() == FaultKind.DIVERGENCE && f.replica() == 1).size() >= 2);
        assertThat(events.of(GroupEvent.FaultDetected.class, f -> f.kind() == FaultKind.DIVERGENCE && f.replica() == 1).get(1)
                .evidence()).contains("reply to #3 differs", "its previous process diverged at #3 too, both replaying from"
                        + " checkpoint #2", "snapshot/restore leave out state the replies depend on");
    }
}
