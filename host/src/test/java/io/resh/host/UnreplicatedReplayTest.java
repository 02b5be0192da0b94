package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.host.testing.GroupEvents;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * N = 1 masks nothing: a reply the only replica got wrong reaches its client. Its replacement must still be able
 * to rejoin: replaying that request from the checkpoint gives another reply than the one released, and with no
 * other replica to vouch for either, that is no evidence against the replacement.
 */
@Tag("e2e")
class UnreplicatedReplayTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();

    private final GroupEvents events = new GroupEvents();

    private static String call(ReplicaGroup group, String request) {
        return new String(group.call(request.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10)),
                StandardCharsets.UTF_8);
    }

    /** Before: the replacement was judged against its dead predecessor's corrupted reply, forever (back-off). */
    @Test
    void shouldLetTheReplacementRejoinAfterTheOnlyReplicaReleasedACorruptedReply() {
        ReplicaGroup group = groups.start(TestGroups.counter("solo", 1, groups.dir()).checkpointEvery(1000).build(),
                List.of(events.listener()));
        assertThat(call(group, "add:1")).isEqualTo("1");
        group.faults().corruptNextReply(0, 0).join();
        assertThat(call(group, "add:1")).as("unreplicated: nothing votes against the corrupted reply").isNotEqualTo("2");
        assertThat(call(group, "add:1")).isEqualTo("3");

        group.faults().crash(0).join();

        assertThat(call(group, "add:1")).isEqualTo("4");
        await().atMost(Duration.ofSeconds(20)).until(() -> events.count(GroupEvent.RecoveryCompleted.class) >= 1);
        assertThat(events.of(GroupEvent.FaultDetected.class)).extracting(GroupEvent.FaultDetected::kind)
                .containsExactly(FaultKind.CRASH);
        assertThat(events.of(GroupEvent.BackedOff.class)).isEmpty();
        GroupStatus status = group.status();
        assertThat(status.replicaStates().get(0).state()).isEqualTo(SlotState.ACTIVE);
        assertThat(status.counters().get("replays-unvouched")).isEqualTo(1);
    }
}
