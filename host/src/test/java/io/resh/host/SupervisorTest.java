package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.host.testing.GroupEvents;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The proactive supervisor end to end: rejuvenation, operator restarts, adaptive DMR/TMR. */
@Tag("e2e")
class SupervisorTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();
    private final GroupEvents events = new GroupEvents();
    private ReplicaGroup group;

    private long call(String request) {
        return Long.parseLong(new String(group.call(request.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20)),
                StandardCharsets.UTF_8));
    }

    @Test
    void shouldRejuvenateEveryReplicaOneAtATimeWhileAnsweringEveryRequest() throws Exception {
        // One replacement at a time: a rejuvenation never starts while another replica is being replaced.
        Set<Integer> replacing = new HashSet<>();
        List<String> overlaps = new CopyOnWriteArrayList<>();
        group = groups.start(TestGroups.counter("rejuvenate", 3, groups.dir()).rejuvenation(Duration.ofMillis(600))
                .checkpointEvery(50).build(), List.of(events.listener(), e -> {
                    if (e instanceof GroupEvent.RecoveryStarted r) {
                        if (!replacing.isEmpty()) {
                            overlaps.add("replica " + r.replica() + " replaced while " + replacing + " were");
                        }
                        replacing.add(r.replica());
                    } else if (e instanceof GroupEvent.Rejuvenated r) {
                        replacing.remove(r.replica());
                    }
                }));
        long total = 0;
        List<CompletableFuture<byte[]>> inflight = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (rejuvenated().size() < 3 && System.nanoTime() < deadline) {
            inflight.add(group.submit("add:1".getBytes(StandardCharsets.UTF_8)));
            if (inflight.size() >= 8) {
                assertThat(Long.parseLong(new String(inflight.remove(0).get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8)))
                        .isEqualTo(++total);
            }
        }
        for (CompletableFuture<byte[]> f : inflight) {
            assertThat(Long.parseLong(new String(f.get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8))).isEqualTo(++total);
        }
        assertThat(rejuvenated()).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(overlaps).isEmpty();
        assertThat(events.of(GroupEvent.FaultDetected.class)).isEmpty();
        assertThat(events.of(GroupEvent.RecoveryStarted.class)).allSatisfy(r -> assertThat(r.reason()).isEqualTo("rejuvenation"));
        GroupStatus s = group.status();
        assertThat(s.supervision().rejuvenationPeriod()).isEqualTo(Duration.ofMillis(600));
        assertThat(s.counters().get("rejuvenations")).isGreaterThanOrEqualTo(3);
        assertThat(s.replicaStates()).allSatisfy(r -> assertThat(r.reputation()).isEqualTo(1.0));

        group.setRejuvenationPeriod(Duration.ZERO);
        await().atMost(Duration.ofSeconds(15)).until(() -> group.status().replicaStates().stream()
                .allMatch(r -> r.state() == SlotState.ACTIVE));
        long started = events.count(GroupEvent.RecoveryStarted.class);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                .until(() -> events.count(GroupEvent.RecoveryStarted.class) == started);
        assertThat(call("add:0")).isEqualTo(total);
    }

    private Set<Integer> rejuvenated() {
        return events.of(GroupEvent.Rejuvenated.class).stream().map(GroupEvent.Rejuvenated::replica).collect(Collectors.toSet());
    }

    @Test
    void shouldRestartAReplicaOnRequestWithoutCountingItAsAFault() {
        group = groups.start(TestGroups.counter("operator", 3, groups.dir()).build(), List.of(events.listener()));
        assertThat(call("add:7")).isEqualTo(7);
        long pid = group.status().replicaStates().get(1).pid();
        // It said "replaced by pid to be assigned": the new pid is rarely known when the restart is answered.
        assertThat(group.restart(1)).matches("replica 1: pid " + pid + " (replaced by pid \\d+|being replaced by a new"
                + " process, whose pid its replica-started event gives) \\(starting\\)");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            ReplicaStatus r = group.status().replicaStates().get(1);
            assertThat(r.state()).isEqualTo(SlotState.ACTIVE);
            assertThat(r.pid()).isNotEqualTo(pid);
            assertThat(r.incarnation()).isEqualTo(2);
        });
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(events.of(GroupEvent.RecoveryStarted.class)).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo("restart requested by operator"));
        assertThat(events.of(GroupEvent.FaultDetected.class)).isEmpty();
        assertThat(group.status().replicaStates().get(1).reputation()).isEqualTo(1.0);
        assertThat(call("add:1")).isEqualTo(8);
        assertThatThrownBy(() -> group.restart(7)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no replica 7");
    }

    @Test
    void shouldRunDmrEscalateToTmrOnADivergenceAndDropBackWhenQuiet() throws Exception {
        group = groups.start(TestGroups.counter("adaptive", 3, groups.dir()).adaptive(Duration.ofSeconds(2)).build(),
                List.of(events.listener()));
        GroupStatus s = group.status();
        assertThat(s.supervision().redundancy()).isEqualTo("dmr");
        assertThat(s.replicaStates().get(2).state()).isEqualTo(SlotState.DORMANT);
        for (int i = 1; i <= 5; i++) {
            assertThat(call("add:1")).isEqualTo(i);
        }
        group.faults().corruptNextReply(0, 3).get(10, TimeUnit.SECONDS);
        // the two DMR replies differ: the dormant replica restores, replays and arbitrates
        assertThat(call("add:1")).isEqualTo(6);
        assertThat(events.of(GroupEvent.RedundancyChanged.class)).first().satisfies(r -> {
            assertThat(r.from()).isEqualTo("dmr");
            assertThat(r.to()).isEqualTo("tmr");
        });
        // the dissenter is judged right after the reply is released
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events.of(GroupEvent.FaultDetected.class))
                .singleElement().satisfies(f -> {
                    assertThat(f.replica()).isZero();
                    assertThat(f.kind()).isEqualTo(FaultKind.DIVERGENCE);
                }));
        await().atMost(Duration.ofSeconds(15)).until(() -> events.count(GroupEvent.RedundancyChanged.class) == 2);
        assertThat(events.of(GroupEvent.RedundancyChanged.class).get(1).to()).isEqualTo("dmr");
        GroupStatus after = group.status();
        assertThat(after.supervision().redundancy()).isEqualTo("dmr");
        assertThat(after.replicaStates().get(2).state()).isEqualTo(SlotState.DORMANT);
        assertThat(after.replicaStates().get(2).pid()).isEqualTo(-1);
        for (int i = 7; i <= 20; i++) {
            assertThat(call("add:1")).isEqualTo(i);
        }
        assertThat(events.of(GroupEvent.RolledBack.class)).isEmpty();
        assertThat(events.of(GroupEvent.FailStopped.class)).isEmpty();
    }
}
