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
import io.resh.core.config.GroupConfig;
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
 * A request that hangs every replica: {@code spin} is an infinite loop in every replica, the commonest
 * "query of death" of a Java service. Each replica is found hung (no reply within the deadline) and replaced,
 * and each replacement replays the log into the same loop; without special handling that goes on until the
 * slots back off and the version is quarantined, while the request's client and everyone behind it wait for
 * the request timeout (startTimeout + 2 x deadline: 22 s here). Now the request fails alone, as a request of
 * death, and the requests behind it are answered.
 */
@Tag("e2e")
class HungRequestTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();
    private final GroupEvents events = new GroupEvents();
    private ReplicaGroup group;

    /** A short deadline (a spinning replica is found hung after 1 s) well under the heartbeat timeout. */
    private GroupConfig config(String name, int n) {
        return TestGroups.counter(name, n, groups.dir()).deadline(Duration.ofSeconds(1))
                .heartbeatTimeout(Duration.ofSeconds(2)).build();
    }

    @Test
    void shouldFailTheRequestThatHangsEveryReplicaAndAnswerTheRequestsQueuedBehindIt() throws Exception {
        group = groups.start(config("spin", 3), List.of(events.listener()));
        assertThat(call(group, "add:5")).isEqualTo("5");
        assertThat(call(group, "add:2")).isEqualTo("7");

        CompletableFuture<byte[]> spin = group.submit(utf8("spin"));
        CompletableFuture<byte[]> behind1 = group.submit(utf8("add:1"));
        CompletableFuture<byte[]> behind2 = group.submit(utf8("add:10"));

        assertThat(failure(spin)).isInstanceOf(PoisonRequestException.class)
                .hasMessageStartingWith("request #3 hung all 3 replicas")
                .hasMessageContaining("(no reply within 1s)")
                .hasMessageEndingWith("it was skipped (no replica's state includes it) and will not be retried");
        assertThat(((PoisonRequestException) failure(spin)).sequence()).isEqualTo(3);
        // executed without 'spin'
        assertThat(text(behind1)).isEqualTo("8");
        assertThat(text(behind2)).isEqualTo("18");
        assertThat(call(group, "add:2")).isEqualTo("20");
        awaitAllActive(group, 3);

        List<GroupEvent.PoisonRequest> poison = events.of(GroupEvent.PoisonRequest.class);
        assertThat(poison).hasSize(1);
        assertThat(poison.get(0).sequence()).isEqualTo(3);
        assertThat(poison.get(0).replicasKilled()).isEqualTo(3);
        assertThat(poison.get(0).processesKilled()).as("hangs alone: a replacement hung in it too").isGreaterThan(3);
        assertThat(events.of(GroupEvent.FaultDetected.class)).isNotEmpty()
                .allSatisfy(f -> assertThat(f.kind()).isEqualTo(FaultKind.HANG));
        // the request is broken, not the version: nothing backs off, nothing is quarantined
        assertThat(events.of(GroupEvent.VersionQuarantined.class)).isEmpty();
        assertThat(events.of(GroupEvent.BackedOff.class)).isEmpty();
        assertThat(group.status().counters().get("poison-requests")).isEqualTo(1);

        group.checkpointNow();
        long seq = group.status().lastSequence();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            GroupStatus s = group.status();
            assertThat(s.replicaStates()).allSatisfy(r -> assertThat(r.digestSequence()).isEqualTo(seq));
            assertThat(s.replicaStates().stream().map(ReplicaStatus::digest).distinct()).hasSize(1);
        });
    }

    @Test
    void shouldSkipARequestThatHangsAnUnreplicatedGroupOnceItHungTheReplacementToo() throws Exception {
        group = groups.start(config("spin1x", 1), List.of(events.listener()));
        assertThat(call(group, "add:4")).isEqualTo("4");
        CompletableFuture<byte[]> spin = group.submit(utf8("spin"));
        assertThat(failure(spin)).isInstanceOf(PoisonRequestException.class)
                .hasMessageStartingWith("request #2 hung the replica and its replacement (no reply within 1s)");
        assertThat(call(group, "add:1")).isEqualTo("5");
        awaitAllActive(group, 1);
        assertThat(events.of(GroupEvent.FaultDetected.class)).hasSize(2)
                .allSatisfy(f -> assertThat(f.kind()).isEqualTo(FaultKind.HANG));
    }

    @Test
    void shouldSkipARequestThatHangsBothReplicasOfADmrGroup() throws Exception {
        group = groups.start(config("spin2x", 2), List.of(events.listener()));
        assertThat(call(group, "add:3")).isEqualTo("3");
        CompletableFuture<byte[]> spin = group.submit(utf8("spin"));
        CompletableFuture<byte[]> behind = group.submit(utf8("add:1"));
        assertThat(failure(spin)).isInstanceOf(PoisonRequestException.class)
                .hasMessageStartingWith("request #2 hung all 2 replicas");
        assertThat(text(behind)).isEqualTo("4");
        awaitAllActive(group, 2);
        assertThat(events.of(GroupEvent.RolledBack.class)).isEmpty();
        assertThat(events.of(GroupEvent.BackedOff.class)).isEmpty();
    }

    @Test
    void shouldSkipARequestThatKillsSomeReplicasAndHangsTheOthers() throws Exception {
        group = groups.start(config("mixed", 3), List.of(events.listener()));
        assertThat(call(group, "add:6")).isEqualTo("6");
        CompletableFuture<byte[]> mixed = group.submit(utf8("haltOrSpin"));
        CompletableFuture<byte[]> behind = group.submit(utf8("add:1"));
        assertThat(failure(mixed)).isInstanceOf(PoisonRequestException.class)
                .hasMessageStartingWith("request #2 killed or hung all 3 replicas")
                .hasMessageContaining("(crash: process exited with code 70; hang: no reply within 1s)");
        assertThat(text(behind)).isEqualTo("7");
        awaitAllActive(group, 3);
        assertThat(events.of(GroupEvent.FaultDetected.class)).extracting(GroupEvent.FaultDetected::kind)
                .contains(FaultKind.CRASH, FaultKind.HANG);
        assertThat(events.of(GroupEvent.BackedOff.class)).isEmpty();
    }

    /**
     * A request that freezes the whole replica process (every thread stops, the heartbeat's too) is found by
     * the heartbeat timeout, before the deadline; it is a request of death like one that loops. Before, each
     * frozen replica was a plain hang, and their replacements froze on it again until the slots backed off.
     */
    @Test
    void shouldSkipARequestThatFreezesEveryReplicaProcess() throws Exception {
        group = groups.start(TestGroups.counter("freeze", 3, groups.dir()).deadline(Duration.ofSeconds(5))
                .heartbeatTimeout(Duration.ofSeconds(1)).build(), List.of(events.listener()));
        assertThat(call(group, "add:2")).isEqualTo("2");
        CompletableFuture<byte[]> freeze = group.submit(utf8("freeze"));
        CompletableFuture<byte[]> behind = group.submit(utf8("add:1"));
        // Six JVM starts and six heartbeat timeouts in a row: on a machine whose hypervisor steals a third of the
        // CPU that took over the usual 20 s once.
        assertThat(failure(freeze, Duration.ofSeconds(60))).isInstanceOf(PoisonRequestException.class)
                .hasMessageStartingWith("request #2 hung all 3 replicas")
                .hasMessageContaining("(no heartbeat within 1s)");
        assertThat(text(behind)).isEqualTo("3");
        awaitAllActive(group, 3);
        assertThat(call(group, "add:1")).isEqualTo("4");
        assertThat(events.of(GroupEvent.FaultDetected.class)).hasSizeGreaterThan(3).allSatisfy(f -> {
            assertThat(f.kind()).isEqualTo(FaultKind.HANG);
            assertThat(f.evidence()).startsWith("no heartbeat for");
        });
        assertThat(events.of(GroupEvent.PoisonRequest.class)).singleElement()
                .satisfies(p -> assertThat(p.sequence()).isEqualTo(2));
        assertThat(events.of(GroupEvent.BackedOff.class)).isEmpty();
    }

    /** A request that hangs one replica only is masked as before: answered by the others, not poison. */
    @Test
    void shouldAnswerARequestThatHangsOnlyOneReplica() {
        group = groups.start(config("spin1", 3), List.of(events.listener()));
        assertThat(call(group, "add:2")).isEqualTo("2");
        assertThat(call(group, "spin1")).isEqualTo("echo:spin1");
        assertThat(call(group, "add:1")).isEqualTo("3");
        await().atMost(Duration.ofSeconds(20)).until(() -> events.count(GroupEvent.FaultDetected.class) >= 2);
        assertThat(events.of(GroupEvent.FaultDetected.class)).allSatisfy(f -> {
            assertThat(f.replica()).isEqualTo(1);
            assertThat(f.kind()).isEqualTo(FaultKind.HANG);
        });
        assertThat(events.of(GroupEvent.PoisonRequest.class)).isEmpty();
        assertThat(group.status().counters().get("poison-requests")).isZero();
        assertThat(call(group, "add:1")).isEqualTo("4");
        // once a stable checkpoint covers 'spin1', replica 1's replacement no longer replays it and serves again
        group.checkpointNow();
        awaitAllActive(group, 3);
    }

    /**
     * A replica the host stopped itself (an injected hang, SIGSTOP) says nothing about the request it held:
     * stopping the only replica twice while it holds the same request does not make that request poison.
     */
    @Test
    void shouldNotBlameARequestForHangsTheHostInjected() throws Exception {
        group = groups.start(TestGroups.counter("stopped", 1, groups.dir()).deadline(Duration.ofSeconds(2))
                .heartbeatTimeout(Duration.ofSeconds(3)).build(), List.of(events.listener()));
        assertThat(call(group, "add:1")).isEqualTo("1");
        CompletableFuture<byte[]> slow = group.submit(utf8("sleep:700"));
        for (int stop = 1; stop <= 2; stop++) {
            int executions = stop;
            await().atMost(Duration.ofSeconds(20)).until(() -> linesIn(group.replicaLog(0), "request #2 sleeps") >= executions);
            group.faults().hang(0).join();
        }
        assertThat(text(slow)).isEqualTo("slept");
        assertThat(call(group, "add:1")).isEqualTo("2");
        assertThat(events.of(GroupEvent.FaultDetected.class)).hasSize(2)
                .allSatisfy(f -> assertThat(f.kind()).isEqualTo(FaultKind.HANG));
        assertThat(events.of(GroupEvent.PoisonRequest.class)).isEmpty();
    }

}
