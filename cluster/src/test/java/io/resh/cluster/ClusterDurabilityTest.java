package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.examples.kv.KvReply;
import io.resh.examples.kv.KvRequests;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable mode of RESH: one peer, the Raft log fsync'd on disk. kill -9 of the host process (and
 * its replicas) in the middle of a write stream, restart: every acknowledged write is there.
 */
@Tag("e2e")
class ClusterDurabilityTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private ProcessCluster cluster;
    private final ExecutorService writer = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        writer.shutdownNow();
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedWriteAcrossKillNineAndRestart() throws Exception {
        cluster = new ProcessCluster(dir, 1, "io.resh.examples.kv.KvStore", 300);
        cluster.startAll();
        List<Integer> acked = new ArrayList<>();
        AtomicInteger ackCount = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean killed = new java.util.concurrent.atomic.AtomicBoolean();
        ConcurrentHashMap<Integer, Boolean> ackedSet = new ConcurrentHashMap<>();
        Future<Integer> stream;
        ClusterClient client = ClusterClient.connect(Loopback.clientAddresses(cluster.peers()), Duration.ofSeconds(3));
        try {
            stream = writer.submit(() -> Pipeline.run(client, 100_000, 32, Duration.ofSeconds(20), killed::get,
                    i -> KvRequests.set("d" + i, "v" + i), (i, f) -> {
                        if (!f.isCompletedExceptionally()) {
                            ackedSet.put(i, Boolean.TRUE);
                            ackCount.incrementAndGet();
                        }
                    }));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> ackCount.get() >= 700);
            killed.set(true);
            cluster.host("h1").kill();
            stream.get(60, TimeUnit.SECONDS);
        } finally {
            client.close();
        }
        acked.addAll(ackedSet.keySet());
        System.out.printf("%d writes acknowledged before kill -9%n", acked.size());
        assertThat(acked.size()).isGreaterThanOrEqualTo(700);

        cluster.launch("h1").awaitReady(Duration.ofSeconds(60));
        cluster.awaitLeader();
        List<Integer> lost = new ArrayList<>();
        try (ClusterClient reader = ClusterClient.connect(Loopback.clientAddresses(cluster.peers()), Duration.ofSeconds(20))) {
            List<CompletableFuture<byte[]>> reads = new ArrayList<>();
            for (int i : acked) {
                reads.add(reader.send(KvRequests.get("d" + i)));
            }
            for (int k = 0; k < acked.size(); k++) {
                KvReply r = KvRequests.decodeReply(reads.get(k).get(30, TimeUnit.SECONDS));
                int i = acked.get(k);
                if (!(r instanceof KvReply.Value v) || !v.utf8().equals("v" + i)) {
                    lost.add(i);
                }
            }
        }
        assertThat(lost).as("acknowledged writes missing after restart").isEmpty();
    }
}
