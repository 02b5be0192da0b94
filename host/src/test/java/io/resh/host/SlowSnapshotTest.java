package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.GroupEvent;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.SlowSnapshotService;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A snapshot that takes longer than {@code checkpoint.every} requests: checkpoints still become stable under load.
 * Before, each one's fetch was superseded by the next one's, none became stable while the load lasted, and the log
 * grew without bound (with 100 MB of state at 4,000 requests/s the replicas then missed heartbeats and were
 * replaced until their version was quarantined).
 */
@Tag("e2e")
class SlowSnapshotTest {
    private static final int REQUESTS = 400;
    private static final int WINDOW = 16;
    private static final int EVERY = 5;

    @RegisterExtension
    final GroupExtension groups = new GroupExtension();

    @Test
    void shouldMakeCheckpointsStableWhileRequestsKeepComingFasterThanSnapshots() throws Exception {
        List<GroupEvent> events = new CopyOnWriteArrayList<>();
        ReplicaGroup group = groups.start(TestGroups.of("slow-snapshot", 3, SlowSnapshotService.class.getName(),
                groups.dir()).checkpointEvery(EVERY).build(), List.of(events::add));
        byte[] add = "add:1".getBytes(StandardCharsets.UTF_8);
        ArrayDeque<CompletableFuture<byte[]>> window = new ArrayDeque<>();
        long stableWhileLoaded = 0;
        for (int i = 1; i <= REQUESTS; i++) {
            if (window.size() == WINDOW) {
                int answered = i - WINDOW;
                assertThat(new String(window.poll().get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8))
                        .as("reply %d", answered).isEqualTo(Long.toString(answered));
                if (answered <= REQUESTS - 100) { // with at least 100 requests still to come
                    stableWhileLoaded = group.stableCheckpoint().sequence();
                }
            }
            window.add(group.submit(add));
        }
        for (CompletableFuture<byte[]> f : window) {
            f.get(30, TimeUnit.SECONDS);
        }

        GroupStatus s = group.status();
        assertThat(stableWhileLoaded).as("a checkpoint became stable while the load lasted").isPositive();
        assertThat(s.counters().get("checkpoints")).isPositive();
        assertThat(s.counters().get("checkpoints-deferred")).as("most periodic checkpoints waited").isPositive();
        assertThat(events).as("no replica is blamed for a slow snapshot")
                .noneMatch(e -> e instanceof GroupEvent.FaultDetected);
    }
}
