package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.resh.core.FailStopException;
import io.resh.core.GroupEvent;
import io.resh.core.InjectedFault;
import io.resh.host.testing.GroupEvents;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The newcomer's mistake WRITING-A-SERVICE.md warns about: a service that reads the clock itself. */
@Tag("e2e")
class NondeterministicServiceTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();

    private final GroupEvents events = new GroupEvents();

    /**
     * Before: "no reply to #1 reached 2 equal votes among 3 replicas (more than f=1 faulty)", which blames
     * two simultaneous faults and shows none of the replies; the service reading System.nanoTime() was the cause.
     */
    @Test
    void shouldSayThatRepliesDifferingInEveryReplicaPointToANondeterministicService() {
        ReplicaGroup group = groups.start(TestGroups.counter("clock", 3, groups.dir()).build(), List.of(events.listener()));

        Throwable thrown = catchThrowable(() -> group.submit("clock".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS));

        assertThat(thrown).hasCauseInstanceOf(FailStopException.class);
        assertThat(thrown.getCause().getMessage())
                .contains("no reply to #1 reached 2 equal votes among 3 replicas", "all 3 replies differ",
                        "replica 0 ", " vs replica 1 ", "first difference at byte", "nondeterministic service",
                        "ExecutionContext")
                .doesNotContain("\n");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events.of(GroupEvent.FailStopped.class))
                .singleElement().satisfies(f -> assertThat(f.detail()).contains("all 3 replies differ")));
    }

    /**
     * Faults injected into two of three replicas (more than f) make every reply differ too; the fail-stop blamed a
     * nondeterministic service even then.
     */
    @Test
    void shouldNameTheInjectedFaultsRatherThanTheServiceWhenTheyMadeEveryReplyDiffer() throws Exception {
        ReplicaGroup group = groups.start(TestGroups.counter("injected", 3, groups.dir()).build(), List.of(events.listener()));
        assertThat(group.call("add:1".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10))).isNotEmpty();
        group.faults().inject(InjectedFault.REPLY_CORRUPTION, 0, 0).get(10, TimeUnit.SECONDS);
        group.faults().inject(InjectedFault.REPLY_CORRUPTION, 1, 1).get(10, TimeUnit.SECONDS);

        Throwable thrown = catchThrowable(() -> group.submit("add:2".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS));

        assertThat(thrown).hasCauseInstanceOf(FailStopException.class);
        assertThat(thrown.getCause().getMessage()).contains("all 3 replies differ",
                "faults were injected into replica 0 (reply-corruption) and replica 1 (reply-corruption)")
                .doesNotContain("nondeterministic");
    }
}
