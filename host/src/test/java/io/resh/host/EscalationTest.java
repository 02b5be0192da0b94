package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.core.config.ReplicaSpec;
import io.resh.host.testing.CounterService;
import io.resh.host.testing.FragileCounterService;
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
 * Restart intensity end to end: a version with a deterministic crash bug crash-loops (every restart
 * replays the request that kills it); its slot backs off, then the version is quarantined and the slot
 * runs the other version — while clients keep getting voted replies.
 */
@Tag("e2e")
class EscalationTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();
    private final GroupEvents events = new GroupEvents();
    private ReplicaGroup group;

    private String call(String request) {
        return new String(group.call(request.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20)), StandardCharsets.UTF_8);
    }

    @Test
    void shouldBackOffThenQuarantineACrashLoopingVersionAndRunTheOtherOne() {
        ReplicaSpec counter = new ReplicaSpec(CounterService.class.getName(), "java", TestGroups.FAST_JVM, "counter");
        ReplicaSpec fragile = new ReplicaSpec(FragileCounterService.class.getName(), "java", TestGroups.FAST_JVM, "fragile");
        group = groups.start(TestGroups.counter("quarantine", 3, groups.dir()).version(counter).version(fragile)
                .restartIntensity(1, Duration.ofSeconds(60))
                .escalation(2, Duration.ofSeconds(2), Duration.ofMinutes(1)).build(), List.of(events.listener()));
        assertThat(group.status().replicaStates().get(1).version()).isEqualTo("fragile");
        assertThat(call("add:5")).isEqualTo("5");
        assertThat(call("boom")).isEqualTo("echo:boom"); // replica 1 dies; replicas 0 and 2 agree
        assertThat(call("add:1")).isEqualTo("6");

        await().atMost(Duration.ofSeconds(20)).until(() -> !events.of(GroupEvent.VersionQuarantined.class).isEmpty());
        GroupEvent.VersionQuarantined q = events.of(GroupEvent.VersionQuarantined.class).get(0);
        assertThat(q.version()).isEqualTo("fragile");
        assertThat(q.replacement()).isEqualTo("counter");
        assertThat(q.restarts()).isEqualTo(3);
        assertThat(events.of(GroupEvent.BackedOff.class)).isNotEmpty()
                .allSatisfy(b -> assertThat(b.replica()).isEqualTo(1));
        assertThat(events.of(GroupEvent.FaultDetected.class)).allSatisfy(f -> {
            assertThat(f.replica()).isEqualTo(1);
            assertThat(f.kind()).isEqualTo(FaultKind.CRASH);
        });

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            ReplicaStatus r1 = group.status().replicaStates().get(1);
            assertThat(r1.state()).isEqualTo(SlotState.ACTIVE);
            assertThat(r1.version()).isEqualTo("counter");
        });
        GroupStatus s = group.status();
        assertThat(s.supervision().versions()).anySatisfy(v -> {
            assertThat(v.label()).isEqualTo("fragile");
            assertThat(v.quarantined()).isTrue();
            assertThat(v.replicas()).isEmpty();
            assertThat(v.reputation()).isLessThan(0.3);
        });
        assertThat(s.counters().get("quarantines")).isEqualTo(1);
        long crashes = events.of(GroupEvent.FaultDetected.class).size();
        for (int i = 7; i <= 20; i++) {
            assertThat(call("add:1")).isEqualTo(Integer.toString(i));
        }
        // the loop has stopped: no more crashes once the stand-in runs
        assertThat(events.of(GroupEvent.FaultDetected.class)).hasSize((int) crashes);
    }

    @Test
    void shouldKeepACrashLoopingSlotBackedOffWhenItsOnlyVersionIsQuarantined() {
        group = groups.start(TestGroups.of("onlyversion", 3, FragileCounterService.class.getName(), groups.dir())
                .restartIntensity(1, Duration.ofSeconds(60))
                .escalation(2, Duration.ofSeconds(1), Duration.ofMinutes(1)).build(), List.of(events.listener()));
        assertThat(call("add:2")).isEqualTo("2");
        assertThat(call("boom1")).isEqualTo("echo:boom1"); // only replica 1 dies on it
        await().atMost(Duration.ofSeconds(20)).until(() -> !events.of(GroupEvent.VersionQuarantined.class).isEmpty());
        assertThat(events.of(GroupEvent.VersionQuarantined.class).get(0).replacement()).isEmpty();
        long starts = events.count(GroupEvent.ReplicaStarted.class);
        // no other version to run: replica 1 stays backed off (no restarts) while 0 and 2 keep answering
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() ->
                group.status().replicaStates().get(1).state() == SlotState.BACKING_OFF
                        && events.count(GroupEvent.ReplicaStarted.class) == starts);
        for (int i = 3; i <= 10; i++) {
            assertThat(call("add:1")).isEqualTo(Integer.toString(i));
        }
        assertThat(group.status().replicaStates().get(0).state()).isEqualTo(SlotState.ACTIVE);
        assertThat(group.status().replicaStates().get(2).state()).isEqualTo(SlotState.ACTIVE);
    }

    /**
     * A replica whose process cannot even be started (here its directory is taken by a file) is logged with
     * the reason. The only line used to be "replica 0 restarted 0 times within 60 s; backing off 1000 ms".
     */
    @Test
    void shouldLogWhyAReplicaProcessCouldNotBeStarted() throws Exception {
        java.nio.file.Path work = groups.dir().resolve("nostart");
        java.nio.file.Files.createDirectories(work);
        java.nio.file.Files.writeString(work.resolve("replica-0"), "a file where replica 0's directory belongs");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Escalation.class);
        logged.start();
        log.addAppender(logged);
        try {
            group = groups.start(TestGroups.counter("nostart", 3, groups.dir()).startTimeout(Duration.ofSeconds(3)).build(),
                    List.of(events.listener()));
            await().atMost(Duration.ofSeconds(20)).until(() -> !events.of(GroupEvent.BackedOff.class).isEmpty());
        } finally {
            log.detachAppender(logged);
        }
        assertThat(call("add:2")).as("replicas 1 and 2 serve").isEqualTo("2");
        assertThat(logged.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .first().asString()
                .startsWith("group nostart: replica 0 could not be started (java.nio.file.FileAlreadyExistsException: ")
                .contains("replica-0); trying again in ");
    }
}
