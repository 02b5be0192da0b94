package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.core.config.ReplicaSpec;
import io.resh.host.testing.CounterService;
import io.resh.host.testing.GroupEvents;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.SlowStartService;
import io.resh.host.testing.TestGroups;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A replica that does not say hello in time is replaced, and its replacement gets the whole start timeout. */
@Tag("e2e")
class StartTimeoutTest {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(3);

    @RegisterExtension
    final GroupExtension groups = new GroupExtension();

    private final GroupEvents events = new GroupEvents();

    /**
     * A start-failure left the slot STARTING, and the timer of a state only restarts when the state changes:
     * the replacement inherited its predecessor's start time and was failed as "no hello within 3 s" a few
     * milliseconds after it was launched, and so on until the slot backed off (a SIGSTOP that hit a replica
     * while it started cost five start-failures at once).
     */
    @Test
    void shouldGiveEveryReplacementItsOwnStartTimeout() {
        ReplicaSpec counter = new ReplicaSpec(CounterService.class.getName(), "java", TestGroups.FAST_JVM, "counter");
        ReplicaSpec slow = new ReplicaSpec(SlowStartService.class.getName(), "java", TestGroups.FAST_JVM, "slow");
        ReplicaGroup group = groups.start(TestGroups.counter("slowstart", 3, groups.dir()).version(counter).version(slow)
                .startTimeout(START_TIMEOUT).build(), List.of(events.listener()));
        int slowReplica = group.status().replicaStates().stream().filter(r -> r.version().equals("slow"))
                .findFirst().orElseThrow().index();

        await().atMost(Duration.ofSeconds(30)).until(() -> startFailures(slowReplica).size() >= 2);

        List<GroupEvent.FaultDetected> failures = startFailures(slowReplica);
        assertThat(failures.get(1).timeMillis() - failures.get(0).timeMillis())
                .as("the second start-failure of replica %d comes a start timeout after the first: %s", slowReplica, failures)
                .isGreaterThanOrEqualTo(START_TIMEOUT.toMillis() - 200);
    }

    private List<GroupEvent.FaultDetected> startFailures(int replica) {
        return events.of(GroupEvent.FaultDetected.class, f -> f.replica() == replica && f.kind() == FaultKind.START_FAILURE);
    }
}
