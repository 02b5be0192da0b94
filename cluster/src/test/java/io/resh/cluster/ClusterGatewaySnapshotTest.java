package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.resh.gateway.Gateway;
import io.resh.gateway.GatewayConfig;
import io.resh.gateway.GatewayStatus;
import io.resh.gateway.testing.RespClient;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raft snapshots of a gateway cluster with {@code checkpoint:}: a snapshot is a checkpoint of the servers' files, the
 * Raft log before it is purged, and a host restarts from its own snapshot or catches up from the leader's.
 */
@Tag("e2e")
class ClusterGatewaySnapshotTest {
    private static final String GATEWAY = """
            group: redis
            replicas: 3
            server:
              command: 'redis-server --port {port} --bind 127.0.0.1 --save "''" --appendonly no --enable-debug-command local'
            listen: { protocol: resp }
            deadline: 2s
            checkpoint: { every: 100000, save: SAVE, digest: DEBUG DIGEST, files: dump.rdb }
            """;
    private static final int WRITES = 150;

    @TempDir
    Path dir;

    private final List<ClusterNode> nodes = new ArrayList<>();
    @RegisterExtension
    final LoggedLines logged = new LoggedLines(ClusterStateMachine.class);

    @AfterEach
    void stop() {
        nodes.forEach(ClusterNode::close);
    }

    /** A snapshot every 40 entries, and segments of 1 KiB: the log before a snapshot is purged soon. */
    private ClusterConfig config(String id, List<ClusterPeer> peers) {
        return new ClusterConfig(id, peers, dir.resolve(id), "test", Duration.ofMillis(400), Duration.ofMillis(800), 40,
                Duration.ofSeconds(8), 1024);
    }

    private ClusterNode start(ClusterConfig config, boolean join) {
        return start(config, join, GATEWAY);
    }

    private ClusterNode start(ClusterConfig config, boolean join, String yaml) {
        GatewayConfig gateway = GatewayConfig.parse(yaml, "redis.yaml").withPort(0)
                .withWorkDir(dir.resolve("gw-" + config.id()));
        ClusterNode n = ClusterNode.startGateway(config, gateway, List.of(), join);
        nodes.add(n);
        return n;
    }

    /** {@link #WRITES} SETs and INCRs through {@code host}, then waits until Raft purged the log before a snapshot. */
    private void writeUntilPurged(ClusterNode host) throws Exception {
        try (RespClient c = new RespClient(host.gateway().port())) {
            for (int i = 0; i < WRITES; i++) {
                assertThat(RespClient.text(c.call("SET", "k" + i, "v" + i))).isEqualTo("OK");
                // Not idempotent: a write both in the snapshot's servers and applied again after it would count twice.
                assertThat(c.call("INCR", "counter")).isEqualTo((long) i + 1);
            }
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            ClusterStatus s = host.status();
            assertThat(s.snapshotIndex()).isPositive();
            assertThat(s.logStartIndex()).as("the log before a snapshot is purged").isPositive();
        });
    }

    private static void awaitLeading(ClusterNode n) {
        await().atMost(Duration.ofSeconds(20)).until(() -> n.status().leading());
    }

    /** Every server of every host answers the same DEBUG DIGEST, and it is not the empty dataset's. */
    private static void assertSameDataEverywhere(List<ClusterNode> hosts) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<String> digests = new ArrayList<>();
            for (ClusterNode n : hosts) {
                for (GatewayStatus.ReplicaStatus r : n.gateway().status().replicas()) {
                    try (RespClient direct = new RespClient(r.port())) {
                        digests.add(RespClient.text(direct.call("DEBUG", "DIGEST")));
                    }
                }
            }
            assertThat(digests).hasSize(3 * hosts.size()).containsOnly(digests.get(0));
            assertThat(digests.get(0)).isNotEqualTo("0000000000000000000000000000000000000000");
        });
    }

    private static void assertData(ClusterNode host, long counter) throws Exception {
        try (RespClient c = new RespClient(host.gateway().port())) {
            for (int i = 0; i < WRITES; i++) {
                assertThat(RespClient.text(c.call("GET", "k" + i))).isEqualTo("v" + i);
            }
            assertThat(RespClient.text(c.call("GET", "counter"))).isEqualTo(Long.toString(counter));
        }
    }

    @Test
    void shouldRestartAHostFromItsOwnSnapshotAfterTheLogBeforeItWasPurged() throws Exception {
        ClusterConfig config = config("h1", Loopback.peers(1));
        ClusterNode first = start(config, false);
        awaitLeading(first);
        writeUntilPurged(first);
        first.close();
        nodes.remove(first);
        try (Stream<Path> files = Files.walk(dir.resolve("h1"))) {
            assertThat(files.filter(p -> p.getFileName().toString().equals(GatewaySnapshot.META)))
                    .as("the two newest snapshots are kept").hasSize(2);
        }

        ClusterNode again = start(config, false);
        awaitLeading(again);
        assertThat(again.status().settings()).as("hosts that differ in it are told apart by resh cluster status")
                .isEqualTo("resp servers in ordered mode, 3 replicas, maxFrameBytes "
                        + again.gateway().config().maxFrameBytes() + ", Raft snapshots of checkpoint.files");
        assertThat(again.gateway().status().checkpoint()).as("its servers started from the snapshot's checkpoint")
                .isPositive();
        assertData(again, WRITES);
        try (RespClient c = new RespClient(again.gateway().port())) {
            assertThat(c.call("INCR", "counter")).as("no write lost, none applied twice").isEqualTo(WRITES + 1L);
        }
        assertSameDataEverywhere(List.of(again));
    }

    @Test
    void shouldBringAJoiningHostUpFromTheLeadersSnapshotOnceTheLogBeforeItWasPurged() throws Exception {
        ClusterPeer p1 = Loopback.peer("h1");
        ClusterPeer p2 = Loopback.peer("h2");
        ClusterNode h1 = start(config("h1", List.of(p1)), false);
        awaitLeading(h1);
        writeUntilPurged(h1);

        ClusterNode h2 = start(config("h2", List.of(p1, p2)), true);
        int port = h2.gateway().port();
        List<Gateway> restarted = new CopyOnWriteArrayList<>();
        h2.onLocalGatewayRestarted(restarted::add);
        h1.addPeer(p2);
        await().atMost(Duration.ofSeconds(30)).until(() -> h2.status().appliedRequests() == h1.status().appliedRequests());
        assertThat(h2.gateway().status().checkpoint()).as("h2's servers started from h1's snapshot").isPositive();
        assertThat(h2.gateway().port()).as("its gateway listens where it did before the install").isEqualTo(port);
        assertThat(restarted).as("told of the gateway started from the snapshot").containsExactly(h2.gateway());
        assertData(h2, WRITES);
        try (RespClient c = new RespClient(h2.gateway().port())) {
            assertThat(c.call("INCR", "counter")).isEqualTo(WRITES + 1L);
        }
        assertSameDataEverywhere(List.of(h1, h2));
    }

    /** A member that was down while the others purged what it missed: it restarts from its own, then gets the leader's. */
    @Test
    void shouldCatchUpALaggingHostFromTheLeadersSnapshotOverItsOwn() throws Exception {
        List<ClusterPeer> peers = Loopback.peers(3);
        for (ClusterPeer p : peers) {
            start(config(p.id(), peers), false);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().filter(n -> n.status().leading()).count() == 1);
        ClusterNode leader = nodes.stream().filter(n -> n.status().leading()).findFirst().orElseThrow();
        ClusterNode lagging = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        try (RespClient c = new RespClient(leader.gateway().port())) {
            for (int i = 0; i < 30; i++) {
                assertThat(c.call("INCR", "before")).isEqualTo((long) i + 1);
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> lagging.status().snapshotIndex() > 0);
        ClusterConfig laggingConfig = lagging.config();
        lagging.close();
        nodes.remove(lagging);

        writeUntilPurged(leader);
        long purgedUpTo = leader.status().logStartIndex();
        ClusterNode back = start(laggingConfig, false);
        await().atMost(Duration.ofSeconds(30)).until(() -> back.status().appliedIndex() >= purgedUpTo
                && back.status().appliedRequests() == leader.status().appliedRequests());
        assertData(back, WRITES);
        try (RespClient c = new RespClient(back.gateway().port())) {
            assertThat(RespClient.text(c.call("GET", "before"))).isEqualTo("30");
        }
        assertSameDataEverywhere(nodes);
    }

    @Test
    void shouldRefuseToStartFromASnapshotWhoseServerFileChanged() throws Exception {
        ClusterConfig config = config("h1", Loopback.peers(1));
        ClusterNode first = start(config, false);
        awaitLeading(first);
        writeUntilPurged(first);
        first.close();
        nodes.remove(first);

        Path rdb;
        try (Stream<Path> files = Files.walk(dir.resolve("h1"))) {
            rdb = files.filter(p -> p.getFileName().toString().equals("dump.rdb") && p.getParent().getFileName().toString()
                    .equals(GatewaySnapshot.FILES)).max(Comparator.comparingLong(p -> lastNumber(p.getParent().getParent())))
                    .orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(rdb.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x10);
        }
        assertThatThrownBy(() -> start(config, false))
                .hasMessageStartingWith("cannot start the local gateway from the Raft snapshot at index ")
                .hasMessageContaining("was changed since it was stored: ")
                .hasMessageContaining(rdb.getParent().getParent().toString())
                .hasMessageNotContaining("\n");
    }

    /** Its servers never write the file checkpoint.files names: no checkpoint is stored, so no snapshot is taken. */
    @Test
    void shouldKeepTheLogAndSayWhyWhenTheGatewayCannotCheckpoint() throws Exception {
        ClusterNode host = start(config("h1", Loopback.peers(1)), false,
                GATEWAY.replace("files: dump.rdb", "files: elsewhere.rdb"));
        awaitLeading(host);
        try (RespClient c = new RespClient(host.gateway().port())) {
            for (int i = 0; i < 60; i++) {
                assertThat(c.call("INCR", "counter")).isEqualTo((long) i + 1);
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> logged.lines().stream().anyMatch(l -> l.startsWith(
                "no Raft snapshot at index ")));
        assertThat(logged.lines()).filteredOn(l -> l.startsWith("no Raft snapshot")).singleElement().asString()
                .contains(": group redis: checkpoint at request #")
                .contains("the server saved no elsewhere.rdb")
                .endsWith("; the Raft log is kept, and a snapshot is tried again in 10 s");
        ClusterStatus s = host.status();
        assertThat(s.snapshotIndex()).isEqualTo(-1);
        assertThat(s.logStartIndex()).isZero();
    }

    /** The Raft index in a snapshot directory's name ({@code snapshot.TERM_INDEX}). */
    private static long lastNumber(Path snapshotDir) {
        String name = snapshotDir.getFileName().toString();
        return Long.parseLong(name.substring(name.lastIndexOf('_') + 1));
    }
}
