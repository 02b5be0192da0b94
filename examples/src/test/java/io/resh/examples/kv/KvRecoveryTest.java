package io.resh.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.host.GroupStatus;
import io.resh.host.ReplicaGroup;
import io.resh.host.ReplicaStatus;
import io.resh.host.SlotState;
import io.resh.host.testing.ReplicaLogsOnFailure;
import io.resh.host.testing.TestGroups;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** The KV store as a real TMR group: what was written before a crash survives the recovery, in every replica. */
@Tag("e2e")
class KvRecoveryTest {
    @RegisterExtension
    final ReplicaLogsOnFailure logs = new ReplicaLogsOnFailure();
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path workDir;
    private final List<GroupEvent> events = new CopyOnWriteArrayList<>();
    private ReplicaGroup group;

    @AfterEach
    void stop() {
        if (group != null) {
            group.close();
        }
    }

    private KvReply call(byte[] request) {
        return KvRequests.decodeReply(group.call(request, Duration.ofSeconds(20)));
    }

    @Test
    void shouldReadBackEveryValueFromEveryReplicaAfterACrashAndRecovery() {
        group = logs.watch(ReplicaGroup.start(TestGroups.of("kv-recovery", 3, KvStore.class.getName(), workDir)
                .checkpointEvery(50).build(), List.of(events::add)));
        for (int i = 0; i < 300; i++) {
            assertThat(call(KvRequests.set("key-" + i, "value-" + i))).isInstanceOf(KvReply.Ok.class);
        }
        long oldPid = group.status().replicaStates().get(0).pid();
        group.faults().crash(0).join();
        // Writes keep being acknowledged while replica 0 is down and recovering.
        for (int i = 300; i < 400; i++) {
            assertThat(call(KvRequests.set("key-" + i, "value-" + i))).isInstanceOf(KvReply.Ok.class);
        }
        await().atMost(Duration.ofSeconds(20)).until(() ->
                events.stream().anyMatch(e -> e instanceof GroupEvent.RecoveryCompleted r && r.replica() == 0));
        assertThat(group.status().replicaStates().get(0).pid()).isNotEqualTo(oldPid);

        for (int i = 0; i < 400; i++) {
            KvReply r = call(KvRequests.get("key-" + i));
            assertThat(r).isInstanceOf(KvReply.Value.class);
            assertThat(((KvReply.Value) r).utf8()).isEqualTo("value-" + i);
        }
        long last = group.status().lastSequence();
        // Every replica answered every read (the recovered one included) and none diverged.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(group.status().replicaStates())
                .allSatisfy(s -> assertThat(s.repliedThrough()).isEqualTo(last)));
        assertThat(events).noneMatch(e -> e instanceof GroupEvent.FaultDetected f && f.kind() != FaultKind.CRASH);
        expectOneStateEverywhereAfterACheckpointAt(last);
    }

    @Test
    void shouldRecoverFromASnapshotWrittenOverALargerOneAfterTheStoreShrank() {
        // Replicas write each checkpoint's snapshot into an array left from an earlier, larger one: only the
        // snapshot's own bytes may be digested and fetched, never the stale tail behind them.
        group = logs.watch(ReplicaGroup.start(TestGroups.of("kv-shrink", 3, KvStore.class.getName(), workDir)
                .checkpointEvery(20).build(), List.of(events::add)));
        String big = "v".repeat(2000);
        for (int i = 0; i < 120; i++) {
            assertThat(call(KvRequests.set("key-" + i, big + i))).isInstanceOf(KvReply.Ok.class);
        }
        for (int i = 0; i < 100; i++) {
            assertThat(call(KvRequests.del("key-" + i))).isEqualTo(new KvReply.Int(1));
        }
        long stableBefore = group.status().stableCheckpoint();
        assertThat(stableBefore).as("checkpoints were taken while the store shrank").isGreaterThan(120);
        group.faults().crash(1).join();
        for (int i = 0; i < 30; i++) {
            assertThat(call(KvRequests.set("new-" + i, "n" + i))).isInstanceOf(KvReply.Ok.class);
        }
        await().atMost(Duration.ofSeconds(20)).until(() ->
                events.stream().anyMatch(e -> e instanceof GroupEvent.RecoveryCompleted r && r.replica() == 1));

        for (int i = 100; i < 120; i++) {
            assertThat(((KvReply.Value) call(KvRequests.get("key-" + i))).utf8()).isEqualTo(big + i);
        }
        assertThat(call(KvRequests.get("key-5"))).isInstanceOf(KvReply.Nil.class);
        expectOneStateEverywhereAfterACheckpointAt(group.status().lastSequence());
        assertThat(events).noneMatch(e -> e instanceof GroupEvent.FaultDetected f && f.kind() != FaultKind.CRASH);
    }

    /** A checkpoint at {@code last} (nothing is sent after it) finds every replica active with the same state digest. */
    private void expectOneStateEverywhereAfterACheckpointAt(long last) {
        group.checkpointNow();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            GroupStatus s = group.status();
            assertThat(s.replicaStates()).allSatisfy(r -> {
                assertThat(r.state()).isEqualTo(SlotState.ACTIVE);
                assertThat(r.digestSequence()).isEqualTo(last);
            });
            assertThat(s.replicaStates().stream().map(ReplicaStatus::digest).distinct()).hasSize(1);
        });
    }
}
