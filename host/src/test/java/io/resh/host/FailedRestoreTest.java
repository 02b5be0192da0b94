package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.host.testing.GroupEvents;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import io.resh.host.testing.UnrestorableCounterService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A replacement whose {@code restore} throws has not recovered, even when no request is left to replay. */
@Tag("e2e")
class FailedRestoreTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();

    private final GroupEvents events = new GroupEvents();

    /**
     * Before: with the log ending at the stable checkpoint, a replacement rejoined at its hello, before its
     * restore answered: "recovered in … ms (replayed 0 requests)" was logged and counted, and its restart
     * back-off reset, just before the restore's failure replaced it again.
     */
    @Test
    void shouldNotCountAReplacementAsRecoveredBeforeItsRestoreSucceeded() {
        ReplicaGroup group = groups.start(TestGroups.of("unrestorable", 3, UnrestorableCounterService.class.getName(),
                groups.dir()).checkpointEvery(2).build(), List.of(events.listener()));
        for (int i = 0; i < 2; i++) {
            group.call("ab".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> group.stableCheckpoint().sequence() == 2);

        group.faults().crash(1).join();

        await().atMost(Duration.ofSeconds(30)).until(() -> events.of(GroupEvent.FaultDetected.class,
                f -> f.kind() == FaultKind.START_FAILURE && f.replica() == 1).size() >= 2);
        assertThat(events.of(GroupEvent.FaultDetected.class, f -> f.kind() == FaultKind.START_FAILURE && f.replica() == 1))
                .first().satisfies(f -> assertThat(f.evidence()).isEqualTo(
                        "restore of checkpoint #2 failed: IOException: corrupt snapshot: bad magic"));
        assertThat(events.of(GroupEvent.RecoveryCompleted.class, r -> r.replica() == 1)).isEmpty();
    }
}
