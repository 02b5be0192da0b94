package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.resh.cluster.RegisterHistory.Outcome;
import io.resh.client.ReshClient;
import io.resh.examples.kv.KvReply;
import io.resh.examples.kv.KvRequests;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three host processes, each with a local TMR group of KV replicas. The leader host is killed with
 * kill -9 in the middle of a concurrent KV workload while a replica on another host has its state
 * corrupted; the clients go on through the new leader, and the recorded history is linearizable per key.
 */
@Tag("e2e")
class ClusterFailoverTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private ProcessCluster cluster;

    @AfterEach
    void stop(TestInfo info) {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static long faults(JsonNode status) {
        long n = 0;
        for (JsonNode r : status.get("group").get("replicaStates")) {
            n += r.get("faults").asLong();
        }
        return n;
    }

    @Test
    void shouldElectANewLeaderLoseNoAcknowledgedWriteAndMaskACorruptReplica() throws Exception {
        cluster = new ProcessCluster(dir, 3, "io.resh.examples.kv.KvStore", 5000);
        cluster.startAll();
        String leader = cluster.awaitLeader();
        String survivor = cluster.peers().stream().map(ClusterPeer::id).filter(id -> !id.equals(leader)).findFirst()
                .orElseThrow();

        // Bulk state the workload never rewrites, so a flipped bit stays until the vote finds it.
        try (ClusterClient client = ClusterClient.connect(Loopback.clientAddresses(cluster.peers()), Duration.ofSeconds(20))) {
            for (int i = 0; i < 16; i++) {
                client.call(KvRequests.set("static" + i, "s".repeat(1024)));
            }
        }
        long t0 = System.nanoTime();
        try (KvWorkload load = new KvWorkload(Loopback.clientAddresses(cluster.peers()), 4, 8)) {
            load.start(250, Duration.ofSeconds(60)); // the count ends it (~6 s here); the time only bounds a slow machine
            await().atMost(Duration.ofSeconds(20)).until(() -> load.completed() >= 150);

            cluster.host(survivor).command("corrupt-state 1", Duration.ofSeconds(10));
            cluster.host(survivor).command("group-checkpoint", Duration.ofSeconds(10));
            cluster.host(leader).kill();
            long killedAt = System.nanoTime();
            System.out.printf("killed leader %s after %d ops in %d ms%n", leader, load.completed(),
                    (killedAt - t0) / 1_000_000);

            // A plain client on a surviving host rides through the election: its front door tries again.
            ClusterPeer other = cluster.peers().stream().filter(p -> p.id().equals(survivor)).findFirst().orElseThrow();
            try (ReshClient plain = ReshClient.connect(Loopback.clientAddresses(List.of(other)))) {
                assertThat(KvRequests.decodeReply(plain.call(KvRequests.get("static0"), Duration.ofSeconds(10))))
                        .isInstanceOf(KvReply.Value.class);
            }
            String newLeader = cluster.awaitLeader();
            assertThat(newLeader).isNotEqualTo(leader);
            load.finish(Duration.ofSeconds(60));
            System.out.printf("workload done: %d ops in %d ms%n", load.completed(), (System.nanoTime() - t0) / 1_000_000);

            RegisterHistory h = load.history();
            assertThat(load.lastOkNanos()).as("clients went on after the kill").isGreaterThan(killedAt);
            assertThat(h.count(Outcome.OK)).isGreaterThan(500);
            assertThat(h.count(Outcome.FAIL)).isZero();
            assertThat(h.firstViolation()).as(cluster.logs()).isNull();
        }
        // The corrupted replica's state diverged; its own host's vote masked it and recovered it.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(faults(cluster.host(survivor).status())).isPositive());
        List<HostProcess> alive = cluster.alive();
        assertThat(alive).hasSize(2);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(alive.stream()
                .map(h -> h.status().get("appliedRequests").asLong()).distinct()).hasSize(1));
        assertThat(alive.stream().map(h -> h.command("checkpoint", Duration.ofSeconds(30))).distinct()).hasSize(1);
    }
}
