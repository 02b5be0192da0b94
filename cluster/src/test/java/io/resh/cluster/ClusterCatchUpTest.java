package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.host.testing.CounterService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host is killed and stays down while the cluster takes 10,000 requests and purges the log behind
 * its snapshots; restarted, it catches up by snapshot install plus log replay, and all three hosts end
 * with equal state digests.
 */
@Tag("e2e")
class ClusterCatchUpTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private ProcessCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void shouldBringAHostThatWasDownBackToTheSameStateBySnapshotInstall() throws Exception {
        cluster = new ProcessCluster(dir, 3, CounterService.class.getName(), 1000);
        long s0 = System.nanoTime();
        cluster.startAll();
        System.out.printf("cluster up in %d ms%n", (System.nanoTime() - s0) / 1_000_000);
        String leader = cluster.awaitLeader();
        String victim = cluster.peers().stream().map(ClusterPeer::id).filter(id -> !id.equals(leader)).findFirst()
                .orElseThrow();
        cluster.host(victim).kill();

        long t0 = System.nanoTime();
        AtomicInteger ok = new AtomicInteger();
        int total = 10_000;
        try (ClusterClient client = ClusterClient.connect(Loopback.clientAddresses(cluster.peers()), Duration.ofSeconds(20))) {
            int sent = Pipeline.run(client, total, 128, Duration.ofSeconds(120),
                    i -> "add:1".getBytes(StandardCharsets.UTF_8), (i, f) -> {
                        if (!f.isCompletedExceptionally()) {
                            ok.incrementAndGet();
                        }
                    });
            assertThat(sent).isEqualTo(total);
        }
        System.out.printf("%d requests with %s down in %d ms%n", total, victim, (System.nanoTime() - t0) / 1_000_000);
        assertThat(ok.get()).isEqualTo(total);
        long logStart = cluster.host(leader).status().get("logStartIndex").asLong();
        assertThat(logStart).as("the leader purged the log the victim missed").isGreaterThan(1000);

        HostProcess back = cluster.launch(victim).awaitReady(Duration.ofSeconds(60));
        System.out.printf("restarted %s at %d ms%n", victim, (System.nanoTime() - t0) / 1_000_000);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(back.status().get("appliedRequests").asLong()).isEqualTo(total));
        assertThat(back.status().get("group").get("lastSequence").asLong()).isEqualTo(total);

        System.out.printf("caught up at %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        var digests = cluster.alive().stream().map(h -> h.command("checkpoint", Duration.ofSeconds(30))).distinct().toList();
        assertThat(cluster.alive()).hasSize(3);
        assertThat(digests).hasSize(1);
        assertThat(digests.get(0)).startsWith(total + " ");
        System.out.printf("digests compared at %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }
}
