package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real faults in real replica processes of a TMR group; asserts what the client saw. */
@Tag("e2e")
class ReplicaGroupFaultTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();

    private final List<GroupEvent> events = new CopyOnWriteArrayList<>();
    private ReplicaGroup group;

    private ReplicaGroup start(String name) {
        group = groups.start(TestGroups.counter(name, 3, groups.dir()).build(), List.of(events::add));
        return group;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long number(byte[] reply) {
        return Long.parseLong(new String(reply, StandardCharsets.UTF_8));
    }

    private long faults(FaultKind kind) {
        return events.stream().filter(e -> e instanceof GroupEvent.FaultDetected f && f.kind() == kind).count();
    }

    private long recoveries() {
        return events.stream().filter(e -> e instanceof GroupEvent.RecoveryCompleted).count();
    }

    /** Sends add:1 n times with at most {@code window} outstanding; checks every running total. */
    private void streamAdds(int n, int window, Runnable atHalf) throws Exception {
        long before = number(group.call(utf8("get"), Duration.ofSeconds(10)));
        List<CompletableFuture<byte[]>> inflight = new ArrayList<>();
        List<Long> expected = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            if (i == n / 2) {
                atHalf.run();
            }
            inflight.add(group.submit(utf8("add:1")));
            expected.add(before + i);
            if (inflight.size() >= window) {
                assertThat(number(inflight.remove(0).get(20, TimeUnit.SECONDS))).isEqualTo(expected.remove(0));
            }
        }
        while (!inflight.isEmpty()) {
            assertThat(number(inflight.remove(0).get(20, TimeUnit.SECONDS))).isEqualTo(expected.remove(0));
        }
    }

    private void assertAllDigestsEqualAfterCheckpoint() {
        group.call(utf8("add:0"), Duration.ofSeconds(10));
        group.checkpointNow();
        long seq = group.status().lastSequence();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            GroupStatus s = group.status();
            assertThat(s.replicaStates()).allSatisfy(r -> {
                assertThat(r.state()).isEqualTo(SlotState.ACTIVE);
                assertThat(r.digestSequence()).isEqualTo(seq);
            });
            assertThat(s.replicaStates().stream().map(ReplicaStatus::digest).distinct()).hasSize(1);
        });
    }

    @Test
    void shouldAnswerEveryRequestCorrectlyWhileOneReplicaIsKilled() throws Exception {
        start("kill9");
        long pidBefore = group.status().replicaStates().get(1).pid();
        streamAdds(2000, 64, () -> group.faults().crash(1).join());
        await().atMost(Duration.ofSeconds(20)).until(() -> recoveries() >= 1);
        assertThat(faults(FaultKind.CRASH)).isEqualTo(1);
        ReplicaStatus replaced = group.status().replicaStates().get(1);
        assertThat(replaced.pid()).isNotEqualTo(pidBefore);
        assertThat(replaced.incarnation()).isEqualTo(2);
        assertAllDigestsEqualAfterCheckpoint();
    }

    private GroupEvent.FaultDetected awaitFault(int replica, FaultKind kind) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> events.stream()
                .filter(e -> e instanceof GroupEvent.FaultDetected f && f.replica() == replica && f.kind() == kind)
                .map(GroupEvent.FaultDetected.class::cast).findFirst(), java.util.Optional::isPresent).orElseThrow();
    }

    /**
     * A replica that fails while the group is idle holds no request: the fault names the last request it
     * answered and says it was idle. It used to name the next sequence number, a request that did not exist yet.
     */
    @Test
    void shouldReportAFaultOfAnIdleReplicaAsIdleAfterTheLastRequest() throws Exception {
        start("idle");
        for (int i = 0; i < 3; i++) {
            group.call(utf8("add:1"), Duration.ofSeconds(10));
        }
        long last = group.status().lastSequence();
        // call() returns once f+1 replicas agree: wait until the third has answered too, so none holds a request
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(group.status().replicaStates())
                .allSatisfy(r -> assertThat(r.repliedThrough()).isEqualTo(last)));

        group.faults().crash(1).get(10, TimeUnit.SECONDS); // reported by the process's exit
        GroupEvent.FaultDetected crash = awaitFault(1, FaultKind.CRASH);
        assertThat(crash.idle()).isTrue();
        assertThat(crash.sequence()).isEqualTo(last);
        assertThat(crash.at()).isEqualTo("while idle, after request #" + last);
        assertThat(group.status().replicaStates().get(1).lastFault()).startsWith("crash while idle, after request #" + last + ": ");
        await().atMost(Duration.ofSeconds(20)).until(() -> recoveries() >= 1);
        assertThat(events).filteredOn(e -> e instanceof GroupEvent.RecoveryStarted r && r.replica() == 1)
                .singleElement().extracting(e -> ((GroupEvent.RecoveryStarted) e).sequence()).isEqualTo(last);

        group.faults().hang(2).get(10, TimeUnit.SECONDS); // reported by its missing heartbeats
        GroupEvent.FaultDetected hang = awaitFault(2, FaultKind.HANG);
        assertThat(hang.idle()).isTrue();
        assertThat(hang.sequence()).isEqualTo(last);
        assertThat(group.status().lastSequence()).as("no request came in between").isEqualTo(last);
    }

    @Test
    void shouldDetectAndReplaceAStoppedReplicaWithoutFailingAnyRequest() throws Exception {
        start("sigstop");
        long stoppedAt = System.nanoTime();
        streamAdds(600, 16, () -> group.faults().hang(2).join());
        await().atMost(Duration.ofSeconds(20)).until(() -> recoveries() >= 1);
        GroupEvent.FaultDetected hang = events.stream().filter(e -> e instanceof GroupEvent.FaultDetected f
                && f.kind() == FaultKind.HANG).map(GroupEvent.FaultDetected.class::cast).findFirst().orElseThrow();
        assertThat(hang.replica()).isEqualTo(2);
        // detected within the deadline (1.5 s) plus scheduling slack, not minutes later
        assertThat(hang.timeMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt))
                .isLessThan(System.currentTimeMillis());
        assertAllDigestsEqualAfterCheckpoint();
    }

    @Test
    void shouldMaskCorruptedRepliesAndRecoverTheReplica() throws Exception {
        start("corrupt");
        streamAdds(300, 8, () -> group.faults().corruptNextReply(0, 3).join());
        await().atMost(Duration.ofSeconds(20)).until(() -> recoveries() >= 1);
        GroupEvent.FaultDetected f = events.stream().filter(e -> e instanceof GroupEvent.FaultDetected)
                .map(GroupEvent.FaultDetected.class::cast).findFirst().orElseThrow();
        assertThat(f.kind()).isEqualTo(FaultKind.DIVERGENCE);
        assertThat(f.replica()).isZero();
        assertThat(f.evidence()).contains("first difference at byte");
        assertAllDigestsEqualAfterCheckpoint();
    }

    @Test
    void shouldCatchAFlippedStateBitAtTheNextCheckpoint() throws Exception {
        start("stateflip");
        group.call(utf8("fill:4096"), Duration.ofSeconds(10));
        String what = group.faults().corruptState(2, 7).get(10, TimeUnit.SECONDS);
        assertThat(what).contains("bit");
        streamAdds(250, 8, () -> { });
        await().atMost(Duration.ofSeconds(20)).until(() -> faults(FaultKind.STATE_DIVERGENCE) >= 1 && recoveries() >= 1);
        GroupEvent.FaultDetected f = events.stream().filter(e -> e instanceof GroupEvent.FaultDetected d
                && d.kind() == FaultKind.STATE_DIVERGENCE).map(GroupEvent.FaultDetected.class::cast).findFirst().orElseThrow();
        assertThat(f.replica()).isEqualTo(2);
        assertThat(f.evidence()).as("a long-running replica restored no snapshot: nothing points at one")
                .endsWith(": latent state corruption");
        assertAllDigestsEqualAfterCheckpoint();
    }

    @Test
    void shouldSayAStateCorruptionCouldNotBeCarriedOutInAServiceWithNoState() throws Exception {
        group = groups.start(TestGroups.of("nostate", 3, io.resh.host.testing.EchoService.class.getName(), groups.dir())
                .build(), List.of(events::add));
        assertThatThrownBy(() -> group.faults().corruptState(1, 7).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(io.resh.core.ReshException.class)
                .hasMessageContaining("replica 1 could not carry out state-corruption: no primitive state reachable");
        assertThat(new String(group.call(utf8("still here"), Duration.ofSeconds(10)), StandardCharsets.UTF_8))
                .isEqualTo("still here");
        assertThat(events).as("nothing was injected").noneMatch(e -> e instanceof GroupEvent.FaultInjected);
    }

    @Test
    void shouldTreatGarbageOnTheIpcChannelAsAFaultyReplicaAndKeepServing() throws Exception {
        start("garbage");
        group.faults().inject(io.resh.core.InjectedFault.IPC_GARBAGE, 1, 99);
        streamAdds(200, 8, () -> { });
        await().atMost(Duration.ofSeconds(20)).until(() -> recoveries() >= 1);
        GroupEvent.FaultDetected f = events.stream().filter(e -> e instanceof GroupEvent.FaultDetected)
                .map(GroupEvent.FaultDetected.class::cast).findFirst().orElseThrow();
        assertThat(f.kind()).isEqualTo(FaultKind.PROTOCOL);
        assertThat(f.replica()).isEqualTo(1);
        assertThat(f.evidence()).contains("bad frame magic");
        assertThat(group.status().failed()).isNull();
    }
}
