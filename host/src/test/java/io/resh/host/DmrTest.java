package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.resh.core.FailStopException;
import io.resh.core.GroupEvent;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** N = 2: a mismatch can't be attributed; roll back and re-execute once, then fail stop. */
@Tag("e2e")
class DmrTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();
    private final List<GroupEvent> events = new CopyOnWriteArrayList<>();
    private ReplicaGroup group;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private String call(String request) {
        return new String(group.call(utf8(request), Duration.ofSeconds(20)), StandardCharsets.UTF_8);
    }

    @Test
    void shouldRepairATransientMismatchByRollingBackAndReExecuting() throws Exception {
        group = groups.start(TestGroups.counter("dmr-transient", 2, groups.dir()).checkpointEvery(10).build(),
                List.of(events::add));
        // Checkpoints become stable asynchronously, and one falling due while the one before is still being made is
        // deferred: each is awaited, so that #20 is the one to roll back to.
        for (int i = 1; i <= 25; i++) {
            assertThat(call("add:1")).isEqualTo(Integer.toString(i));
            if (i % 10 == 0) {
                long at = i;
                await().atMost(Duration.ofSeconds(10)).until(() -> group.stableCheckpoint().sequence() == at);
            }
        }
        group.faults().corruptNextReply(0, 5).get(10, TimeUnit.SECONDS);
        // The corrupted reply mismatches; both replicas roll back to checkpoint #20 and re-execute.
        assertThat(call("add:1")).isEqualTo("26");
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOf(GroupEvent.RolledBack.class));
        GroupEvent.RolledBack rb = events.stream().filter(GroupEvent.RolledBack.class::isInstance)
                .map(GroupEvent.RolledBack.class::cast).findFirst().orElseThrow();
        assertThat(rb.checkpoint()).isEqualTo(20);
        assertThat(rb.mismatchAt()).isEqualTo(26);
        for (int i = 27; i <= 40; i++) {
            assertThat(call("add:1")).isEqualTo(Integer.toString(i));
        }
        assertThat(group.status().failed()).isNull();
    }

    @Test
    void shouldFailStopWithAClearErrorWhenTheMismatchPersists() {
        group = groups.start(TestGroups.counter("dmr-persistent", 2, groups.dir()).checkpointEvery(10).build(),
                List.of(events::add));
        assertThat(call("add:5")).isEqualTo("5");
        // "poison" is a deterministic bug in replica 1: it answers differently every time.
        assertThatThrownBy(() -> group.submit(utf8("poison")).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(FailStopException.class)
                .hasMessageContaining("fail-stop at request #2")
                .hasMessageContaining("disagreed again after rolling back")
                .hasMessageContaining("the same version answering differently twice from the same state usually means a"
                        + " nondeterministic service");
        await().atMost(Duration.ofSeconds(5)).until(() -> group.status().failed() != null);
        // Nothing unvoted is ever released afterwards: later requests fail the same way.
        assertThatThrownBy(() -> group.call(utf8("get"), Duration.ofSeconds(5))).isInstanceOf(FailStopException.class);
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOf(GroupEvent.FailStopped.class));
    }
}
