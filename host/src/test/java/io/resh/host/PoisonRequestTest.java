package io.resh.host;

import static io.resh.host.testing.Replies.awaitAllActive;
import static io.resh.host.testing.Replies.call;
import static io.resh.host.testing.Replies.failure;
import static io.resh.host.testing.Replies.linesIn;
import static io.resh.host.testing.Replies.text;
import static io.resh.host.testing.Replies.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.host.testing.FragileCounterService;
import io.resh.host.testing.GroupEvents;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Requests of death: {@code halt} makes every replica call {@code Runtime.halt(70)}. Without special
 * handling each replacement replays it and dies again until the version is quarantined, while its client and
 * everyone behind it wait (and time out after 23 s with these test timings). Now its client gets a clear
 * error at once, the replicas go on without it, and the requests behind it are answered.
 */
@Tag("e2e")
class PoisonRequestTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();
    private final GroupEvents events = new GroupEvents();
    private ReplicaGroup group;

    @Test
    void shouldFailTheRequestThatKillsEveryReplicaAndAnswerTheRequestsQueuedBehindIt() throws Exception {
        group = groups.start(TestGroups.counter("halt", 3, groups.dir()).build(), List.of(events.listener()));
        assertThat(call(group, "add:5")).isEqualTo("5");
        assertThat(call(group, "add:2")).isEqualTo("7");

        CompletableFuture<byte[]> halt = group.submit(utf8("halt"));
        CompletableFuture<byte[]> behind1 = group.submit(utf8("add:1"));
        CompletableFuture<byte[]> behind2 = group.submit(utf8("add:10"));

        assertThat(failure(halt)).isInstanceOf(PoisonRequestException.class)
                .hasMessageStartingWith("request #3 killed all 3 replicas")
                .hasMessageContaining("process exited with code 70")
                .hasMessageEndingWith("it was skipped (no replica's state includes it) and will not be retried");
        assertThat(((PoisonRequestException) failure(halt)).sequence()).isEqualTo(3);
        // executed without 'halt', which left nothing behind in any replica
        assertThat(text(behind1)).isEqualTo("8");
        assertThat(text(behind2)).isEqualTo("18");
        assertThat(call(group, "add:2")).isEqualTo("20");
        awaitAllActive(group, 3);

        List<GroupEvent.PoisonRequest> poison = events.of(GroupEvent.PoisonRequest.class);
        assertThat(poison).hasSize(1);
        assertThat(poison.get(0).sequence()).isEqualTo(3);
        assertThat(poison.get(0).replicasKilled()).isEqualTo(3);
        assertThat(poison.get(0).processesKilled()).isGreaterThanOrEqualTo(3);
        assertThat(events.of(GroupEvent.FaultDetected.class)).isNotEmpty()
                .allSatisfy(f -> assertThat(f.kind()).isEqualTo(FaultKind.CRASH));
        // the request is broken, not the version: nothing backs off, nothing is quarantined
        assertThat(events.of(GroupEvent.VersionQuarantined.class)).isEmpty();
        assertThat(events.of(GroupEvent.BackedOff.class)).isEmpty();
        assertThat(group.status().counters().get("poison-requests")).isEqualTo(1);
        // nor the replicas: the faults it caused are taken back from their reputations (one crash: 0.5)
        assertThat(group.status().replicaStates()).allSatisfy(r -> {
            assertThat(r.faults()).isPositive();
            assertThat(r.reputation()).isGreaterThan(0.9);
        });

        // a second one is handled the same way, and the state agrees everywhere afterwards
        CompletableFuture<byte[]> again = group.submit(utf8("halt"));
        assertThat(failure(again)).isInstanceOf(PoisonRequestException.class).hasMessageStartingWith("request #7 killed all 3 replicas");
        assertThat(call(group, "add:1")).isEqualTo("21");
        awaitAllActive(group, 3);
        assertThat(group.status().counters().get("poison-requests")).isEqualTo(2);
        assertThat(events.of(GroupEvent.VersionQuarantined.class)).isEmpty();
        group.checkpointNow();
        long seq = group.status().lastSequence();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            GroupStatus s = group.status();
            assertThat(s.replicaStates()).allSatisfy(r -> assertThat(r.digestSequence()).isEqualTo(seq));
            assertThat(s.replicaStates().stream().map(ReplicaStatus::digest).distinct()).hasSize(1);
        });
    }

    @Test
    void shouldSkipARequestOfDeathInAnUnreplicatedGroupOnceItKilledTheReplacementToo() throws Exception {
        group = groups.start(TestGroups.counter("halt1", 1, groups.dir()).build(), List.of(events.listener()));
        assertThat(call(group, "add:4")).isEqualTo("4");
        CompletableFuture<byte[]> halt = group.submit(utf8("halt"));
        assertThat(failure(halt)).isInstanceOf(PoisonRequestException.class)
                .hasMessageStartingWith("request #2 killed the replica and its replacement");
        assertThat(call(group, "add:1")).isEqualTo("5");
        awaitAllActive(group, 1);
        assertThat(events.of(GroupEvent.FaultDetected.class)).hasSize(2);
    }

    @Test
    void shouldSkipARequestOfDeathInADmrGroup() throws Exception {
        group = groups.start(TestGroups.counter("halt2", 2, groups.dir()).build(), List.of(events.listener()));
        assertThat(call(group, "add:3")).isEqualTo("3");
        CompletableFuture<byte[]> halt = group.submit(utf8("halt"));
        CompletableFuture<byte[]> behind = group.submit(utf8("add:1"));
        assertThat(failure(halt)).isInstanceOf(PoisonRequestException.class)
                .hasMessageStartingWith("request #2 killed all 2 replicas");
        assertThat(text(behind)).isEqualTo("4");
        awaitAllActive(group, 2);
        assertThat(events.of(GroupEvent.RolledBack.class)).isEmpty();
    }

    /** A request that kills one replica only is masked as before: answered by the others, not poison. */
    @Test
    void shouldAnswerARequestThatKillsOnlyOneReplica() {
        group = groups.start(TestGroups.of("boom1", 3, FragileCounterService.class.getName(), groups.dir()).build(),
                List.of(events.listener()));
        assertThat(call(group, "add:2")).isEqualTo("2");
        assertThat(call(group, "boom1")).isEqualTo("echo:boom1");
        assertThat(call(group, "add:1")).isEqualTo("3");
        await().atMost(Duration.ofSeconds(20)).until(() -> events.count(GroupEvent.FaultDetected.class) >= 2);
        assertThat(events.of(GroupEvent.FaultDetected.class)).allSatisfy(f -> {
            assertThat(f.replica()).isEqualTo(1);
            assertThat(f.kind()).isEqualTo(FaultKind.CRASH);
        });
        assertThat(events.of(GroupEvent.PoisonRequest.class)).isEmpty();
        assertThat(group.status().counters().get("poison-requests")).isZero();
        assertThat(call(group, "add:1")).isEqualTo("4");
    }

    /**
     * The host's own SIGKILL (an injected crash) says nothing about the request the replica was executing:
     * killing the only replica twice while it executes the same request does not make that request poison.
     */
    @Test
    void shouldNotBlameARequestForCrashesTheHostInjected() throws Exception {
        group = groups.start(TestGroups.counter("injected", 1, groups.dir()).deadline(Duration.ofSeconds(10)).build(),
                List.of(events.listener()));
        assertThat(call(group, "add:1")).isEqualTo("1");
        CompletableFuture<byte[]> slow = group.submit(utf8("sleep:1500"));
        for (int kill = 1; kill <= 2; kill++) {
            int executions = kill;
            await().atMost(Duration.ofSeconds(20)).until(() -> linesIn(group.replicaLog(0), "request #2 sleeps") >= executions);
            group.faults().crash(0).join();
        }
        assertThat(text(slow)).isEqualTo("slept");
        assertThat(call(group, "add:1")).isEqualTo("2");
        assertThat(events.of(GroupEvent.FaultDetected.class)).hasSize(2);
        assertThat(events.of(GroupEvent.PoisonRequest.class)).isEmpty();
    }

    /**
     * An operator's {@code kill -9} of every replica at once (or {@code pkill}, or SIGTERM) while they all execute
     * one request looks like a round of crashes on that request, but it is no evidence against it: a signal other
     * processes send needs a replacement to die of the request too, like a hang. The client gets its reply.
     */
    @Test
    void shouldNotBlameARequestForReplicasKilledFromOutsideAllAtOnce() throws Exception {
        group = groups.start(TestGroups.counter("outside", 3, groups.dir()).deadline(Duration.ofSeconds(10)).build(),
                List.of(events.listener()));
        assertThat(call(group, "add:1")).isEqualTo("1");
        CompletableFuture<byte[]> slow = group.submit(utf8("sleep:1500"));
        await().atMost(Duration.ofSeconds(20)).until(() -> linesIn(group.replicaLog(0), "request #2 sleeps") >= 1
                && linesIn(group.replicaLog(1), "request #2 sleeps") >= 1 && linesIn(group.replicaLog(2), "request #2 sleeps") >= 1);
        List<String> kill = new java.util.ArrayList<>(List.of("kill", "-9"));
        group.status().replicaStates().forEach(r -> kill.add(Long.toString(r.pid())));
        Process killer = new ProcessBuilder(kill).redirectErrorStream(true).start();
        assertThat(killer.waitFor()).as(String.join(" ", kill)).isZero();

        assertThat(text(slow)).isEqualTo("slept");
        assertThat(call(group, "add:1")).isEqualTo("2");
        assertThat(events.of(GroupEvent.PoisonRequest.class)).isEmpty();
        assertThat(events.of(GroupEvent.FaultDetected.class)).hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(f -> assertThat(f.evidence()).contains("signal 9"));
        awaitAllActive(group, 3);
    }

}
