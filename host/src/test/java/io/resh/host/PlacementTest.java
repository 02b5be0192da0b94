package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.host.testing.GroupEvents;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Core attribution end to end: faults are injected only into whatever replica runs on one chosen core.
 * Rotation spreads them over different replicas, so the core — and not any replica — ends up suspect,
 * and the replicas leave it.
 */
class PlacementTest {
    private static final int BAD_CORE = 1;

    @RegisterExtension
    final GroupExtension groups = new GroupExtension();
    private final GroupEvents events = new GroupEvents();
    private ReplicaGroup group;

    private long call(String request) {
        return Long.parseLong(new String(group.call(request.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20)),
                StandardCharsets.UTF_8));
    }

    private void awaitAllActive() {
        await().atMost(Duration.ofSeconds(15)).until(() -> group.status().replicaStates().stream()
                .allMatch(r -> r.state() == SlotState.ACTIVE));
    }

    @Test
    void shouldRefuseACoreThatDoesNotExistBeforeStartingAnything() {
        int missing = CpuPinning.cores() + 3;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReplicaGroup.start(TestGroups.counter("nocore", 3, groups.dir())
                        .pin(true).cpus(List.of(0, missing)).build()))
                .isInstanceOf(io.resh.core.ConfigException.class)
                .hasMessageStartingWith("cpus: core " + missing + " does not exist here");
    }

    /** Cores listed without {@code pin: true} were silently not used: the user is told once, at start. */
    @Test
    void shouldSayThatCoresListedWithoutPinAreNotUsed() {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger loopLog = (Logger) LoggerFactory.getLogger(GroupLoop.class);
        logged.start();
        loopLog.addAppender(logged);
        try {
            group = groups.start(TestGroups.counter("unpinned", 3, groups.dir()).cpus(List.of(0)).build());
        } finally {
            loopLog.detachAppender(logged);
        }
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
                .containsOnlyOnce("group unpinned: cpus [0] is not used: replicas are pinned only with pin: true");
        assertThat(group.status().replicaStates()).extracting(ReplicaStatus::cpu).containsOnly(-1);
    }

    @Test
    @Tag("e2e")
    void shouldSuspectTheCoreWhoseReplicasKeepFailingAndMoveEveryReplicaOffIt() throws Exception {
        assumeTrue(CpuPinning.available() && CpuPinning.cores() >= 2, "needs taskset and two cores");
        group = groups.start(TestGroups.counter("badcore", 3, groups.dir()).pin(true).cpus(List.of(0, BAD_CORE))
                .build(), List.of(events.listener()));
        long total = 0;
        Set<Integer> victims = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
        while (events.count(GroupEvent.CoreSuspected.class) == 0 && System.nanoTime() < deadline) {
            awaitAllActive();
            ReplicaStatus onBadCore = group.status().replicaStates().stream().filter(r -> r.cpu() == BAD_CORE)
                    .findFirst().orElseThrow(() -> new AssertionError("no replica on core " + BAD_CORE + ": "
                            + group.status().replicaStates()));
            victims.add(onBadCore.index());
            long faultsBefore = events.count(GroupEvent.FaultDetected.class);
            group.faults().corruptNextReply(onBadCore.index(), 3).get(10, TimeUnit.SECONDS);
            assertThat(call("add:1")).isEqualTo(++total); // the corrupted reply is outvoted
            await().atMost(Duration.ofSeconds(10)).until(() -> events.count(GroupEvent.FaultDetected.class) > faultsBefore);
        }
        List<GroupEvent.CoreSuspected> suspected = events.of(GroupEvent.CoreSuspected.class);
        assertThat(suspected).singleElement().satisfies(e -> {
            assertThat(e.cpu()).isEqualTo(BAD_CORE);
            assertThat(e.reputation()).isLessThan(0.25);
            assertThat(e.evidence()).contains("different replicas");
        });
        assertThat(victims).as("rotation put different replicas on the bad core").hasSizeGreaterThan(1);
        assertThat(events.of(GroupEvent.FaultDetected.class, f -> f.kind() == FaultKind.DIVERGENCE))
                .hasSizeGreaterThanOrEqualTo(4).allSatisfy(f -> assertThat(f.cpu()).isEqualTo(BAD_CORE));
        // the suspect core is no longer used while the other one is
        awaitAllActive();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(group.status().replicaStates())
                .allSatisfy(r -> assertThat(r.cpu()).isNotEqualTo(BAD_CORE)));
        GroupStatus s = group.status();
        assertThat(s.supervision().cores()).anySatisfy(c -> {
            assertThat(c.cpu()).isEqualTo(BAD_CORE);
            assertThat(c.suspect()).isTrue();
            assertThat(c.replicas()).isEmpty();
        });
        assertThat(s.supervision().cores()).anySatisfy(c -> {
            assertThat(c.cpu()).isZero();
            assertThat(c.suspect()).isFalse();
        });
        assertThat(s.replicaStates()).allSatisfy(r -> assertThat(r.reputation()).isGreaterThan(0.25));
        for (int i = 0; i < 20; i++) {
            assertThat(call("add:1")).isEqualTo(++total);
        }
    }
}
