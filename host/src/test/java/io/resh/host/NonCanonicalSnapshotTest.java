package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.host.testing.GroupEvents;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.ReorderingSnapshotService;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A snapshot that is not canonical where two replicas agree and a third differs (WRITING-A-SERVICE.md,
 * "Snapshots"): the state divergence must point at the snapshot when the evidence does, and only then.
 */
@Tag("e2e")
class NonCanonicalSnapshotTest {
    private static final String HINT = ", or a snapshot that is not canonical: ";

    @RegisterExtension
    final GroupExtension groups = new GroupExtension();

    private final GroupEvents events = new GroupEvents();

    private static String call(ReplicaGroup group, String request) {
        return new String(group.call(request.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10)), StandardCharsets.UTF_8);
    }

    private List<GroupEvent.FaultDetected> stateDivergences(int replica) {
        return events.of(GroupEvent.FaultDetected.class, f -> f.kind() == FaultKind.STATE_DIVERGENCE && f.replica() == replica);
    }

    private void awaitRecoveries(int replica, int n) {
        await().atMost(Duration.ofSeconds(30)).until(() -> events.of(GroupEvent.RecoveryCompleted.class,
                r -> r.replica() == replica).size() >= n);
    }

    /**
     * Before: "latent state corruption" at every checkpoint, for a replica that had just restored the voted snapshot
     * and answered every request like the others; the log pointed at the hardware and never at the snapshot.
     */
    @Test
    void shouldSayThatAReplicaDifferingSoonAfterItsRestorePointsAtASnapshotThatIsNotCanonical() {
        ReplicaGroup group = groups.start(TestGroups.of("reordering", 3, ReorderingSnapshotService.class.getName(), groups.dir())
                .checkpointEvery(2).build(), List.of(events.listener()));
        assertThat(call(group, "a")).isEqualTo("1");
        assertThat(call(group, "b")).isEqualTo("1");
        await().atMost(Duration.ofSeconds(10)).until(() -> group.stableCheckpoint().sequence() == 2);

        group.faults().crash(1).join();
        awaitRecoveries(1, 1);
        assertThat(call(group, "a")).isEqualTo("2");
        assertThat(call(group, "c")).isEqualTo("1");

        await().atMost(Duration.ofSeconds(30)).until(() -> !stateDivergences(1).isEmpty());
        assertThat(stateDivergences(1).get(0).evidence())
                .startsWith("state digest at checkpoint #4 is ")
                .endsWith(": latent state corruption" + HINT + "replica 1 was restored from the voted snapshot at #2 and"
                        + " differs at #4 with no reply disagreeing; equal states must write equal bytes (see"
                        + " WRITING-A-SERVICE.md, \"Snapshots\")");
        assertThat(group.status().replicaStates().get(1).lastFault()).contains(HINT);

        // its replacement restores the next voted snapshot and differs again: the hint comes every time
        awaitRecoveries(1, 2);
        assertThat(call(group, "b")).isEqualTo("2");
        assertThat(call(group, "d")).isEqualTo("1");
        await().atMost(Duration.ofSeconds(30)).until(() -> stateDivergences(1).size() >= 2);
        assertThat(stateDivergences(1).get(1).evidence()).contains(HINT + "replica 1 was restored from the voted snapshot at #");
        assertThat(stateDivergences(0)).isEmpty();
        assertThat(stateDivergences(2)).isEmpty();
    }

    /** A bit flipped long after the replica's restore is what it looks like: no hint at the snapshot. */
    @Test
    void shouldNotBlameTheSnapshotForABitFlippedLongAfterTheRestore() throws Exception {
        int every = 10;
        ReplicaGroup group = groups.start(TestGroups.counter("flip-after-restore", 3, groups.dir())
                .checkpointEvery(every).build(), List.of(events.listener()));
        call(group, "fill:4096");
        while (group.status().lastSequence() < every) {
            call(group, "add:1");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> group.stableCheckpoint().sequence() == every);
        group.faults().crash(2).join();
        awaitRecoveries(2, 1);
        long restoredFrom = group.stableCheckpoint().sequence();
        while (group.status().lastSequence() <= restoredFrom + (long) CheckpointTracker.RECENT_CHECKPOINTS * every) {
            call(group, "add:1");
        }

        String what = group.faults().corruptState(2, 7).get(10, TimeUnit.SECONDS);
        assertThat(what).contains("blob");
        long flippedAfter = group.status().lastSequence();
        while (group.status().lastSequence() <= flippedAfter + every) {
            call(group, "add:1");
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> !stateDivergences(2).isEmpty());
        assertThat(stateDivergences(2)).singleElement().satisfies(f -> {
            assertThat(f.sequence()).isGreaterThan(flippedAfter);
            assertThat(f.evidence()).endsWith(": latent state corruption");
        });
    }
}
