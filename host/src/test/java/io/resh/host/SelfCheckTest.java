package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.core.GroupEvent;
import io.resh.host.testing.GroupEvents;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Self-stabilization of the supervisor: its own bookkeeping is corrupted on purpose, in ways that would
 * otherwise stop the group for good, and it must converge back to serving correct replies.
 */
@Tag("e2e")
class SelfCheckTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();
    private final GroupEvents events = new GroupEvents();
    private ReplicaGroup group;

    private long call(String request) {
        return Long.parseLong(new String(group.call(request.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20)),
                StandardCharsets.UTF_8));
    }

    @Test
    void shouldConvergeBackToCorrectRepliesFromCorruptedBookkeeping() {
        group = groups.start(TestGroups.counter("selfcheck", 3, groups.dir()).selfCheck(Duration.ofMillis(200))
                .checkpointEvery(1000).build(), List.of(events.listener()));
        for (int i = 1; i <= 10; i++) {
            assertThat(call("add:1")).isEqualTo(i);
        }
        List<Long> pids = group.status().replicaStates().stream().map(ReplicaStatus::pid).toList();
        group.onLoop(() -> {
            GroupLoop loop = group.loop();
            loop.slots[0].cursor = loop.log.lastSequence() + 1000; // believes it sent requests that don't exist
            loop.slots[1].process = null;                          // lost its process handle (the process runs on)
            loop.slots[2].state = SlotState.STOPPED;               // believes a running replica is stopped
            loop.firstUnanswered = Long.MAX_VALUE / 2;             // the timeout scan would never look again
            loop.counters.set("requests", -5L);
            loop.log.scramble(3, 7);                               // two log entries in each other's place
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> events.of(GroupEvent.SelfRepaired.class).stream()
                .map(GroupEvent.SelfRepaired::invariant).collect(Collectors.toSet())
                .containsAll(List.of("process-owned", "live-has-process", "replica-counters", "group-counters",
                        "log-contiguous", "no-overdue-request")));
        // Every replica was replaced through the ordinary recovery path, replaying the repaired log.
        for (int i = 11; i <= 30; i++) {
            assertThat(call("add:1")).isEqualTo(i);
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            GroupStatus s = group.status();
            assertThat(s.replicaStates()).allSatisfy(r -> assertThat(r.state()).isEqualTo(SlotState.ACTIVE));
            assertThat(s.counters().get("requests")).isEqualTo(30);
            assertThat(s.counters().get("self-repairs")).isGreaterThanOrEqualTo(6);
        });
        // The replica whose handle was lost did not live on as an orphan.
        await().atMost(Duration.ofSeconds(5)).until(() -> pids.stream()
                .noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)));
        // Replicas agree on the state: the scrambled log was replayed in the right order.
        group.checkpointNow();
        long seq = group.status().lastSequence();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            GroupStatus s = group.status();
            assertThat(s.stableCheckpoint()).isEqualTo(seq);
            assertThat(s.replicaStates().stream().map(ReplicaStatus::digest).distinct()).hasSize(1);
        });
        assertThat(events.of(GroupEvent.FaultDetected.class)).isEmpty();
    }
}
