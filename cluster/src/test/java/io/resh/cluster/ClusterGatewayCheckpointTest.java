package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.gateway.GatewayStatus;
import io.resh.gateway.testing.RespClient;
import io.resh.gateway.testing.Signals;
import io.resh.host.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code checkpoint:} in a cluster of gateways: each host checkpoints its own redis-servers and cuts its own replay
 * log, so it rebuilds a killed server from its stored checkpoint and the log's tail long after {@code replayLogEntries}
 * writes, long before Raft takes a snapshot (ClusterGatewaySnapshotTest). Two hosts in this JVM from one config file,
 * three real servers each.
 */
@Tag("e2e")
class ClusterGatewayCheckpointTest {
    /** The log holds 60 writes and a checkpoint is taken every 20: the 200 writes below would overflow it uncut. */
    private static final String CONFIG = """
            group: redis
            replicas: 3
            server:
              command: 'redis-server --port {port} --bind 127.0.0.1 --save "''" --appendonly no --enable-debug-command local'
            listen: { protocol: resp }
            deadline: 2s
            replayLogEntries: 60
            checkpoint: { every: 20, save: SAVE, digest: DEBUG DIGEST, files: dump.rdb }
            cluster:
              storage: %s
              election: { min: 400ms, max: 800ms }
              peers:
                - { id: h1, address: %s, client: %s }
                - { id: h2, address: %s, client: %s }
            """;

    @TempDir
    Path dir;

    private final List<ClusterNode> nodes = new ArrayList<>();
    private final Map<String, List<GroupEvent>> events = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        nodes.forEach(ClusterNode::close);
    }

    /** Both hosts from one file, as {@code resh serve FILE --id ID --port 0} starts them, each with its own workDir. */
    private void start() throws Exception {
        List<ClusterPeer> peers = Loopback.peers(2);
        Path yaml = dir.resolve("redis-cluster.yaml");
        Files.writeString(yaml, CONFIG.formatted(dir.resolve("{id}"), peers.get(0).raftAddress(),
                peers.get(0).clientAddress(), peers.get(1).raftAddress(), peers.get(1).clientAddress()));
        for (ClusterPeer p : peers) {
            JsonNode tree = ConfigFile.readTree(yaml);
            ((ObjectNode) tree).put("workDir", dir.resolve("gw-" + p.id()).toString());
            List<GroupEvent> seen = new CopyOnWriteArrayList<>();
            events.put(p.id(), seen);
            nodes.add(ClusterHost.start(yaml, tree, p.id(), false, 0, List.of(seen::add)));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().map(n -> n.status().leader()).distinct()
                .filter(l -> !l.isEmpty()).count() == 1 && !nodes.get(0).status().leader().isEmpty()
                && !nodes.get(1).status().leader().isEmpty());
    }

    private ClusterNode leader() {
        return nodes.stream().filter(n -> n.status().leading()).findFirst().orElseThrow();
    }

    private ClusterNode follower() {
        return nodes.stream().filter(n -> !n.status().leading()).findFirst().orElseThrow();
    }

    private List<GroupEvent> eventsOf(ClusterNode n) {
        return events.get(n.config().id());
    }

    @Test
    void shouldRebuildAKilledServerOfEachHostFromItsOwnCheckpointOnceItsLogWasCut() throws Exception {
        start();
        ClusterNode leader = leader();
        ClusterNode follower = follower();
        long counter = 0;
        for (int i = 0; i < 100; i++) {
            try (RespClient c = new RespClient(nodes.get(i % 2).gateway().port())) { // followers forward to the leader
                assertThat(RespClient.text(c.call("SET", "k" + i, "v" + i))).isEqualTo("OK");
                // Not idempotent: a write both in a server's saved state and replayed after it would count twice.
                assertThat(c.call("INCR", "counter")).isEqualTo(++counter);
            }
        }
        for (ClusterNode n : nodes) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                GatewayStatus s = n.gateway().status();
                assertThat(s.checkpoint()).as("host %s's checkpoint", n.config().id()).isPositive();
                assertThat(s.replayLogOverflowed()).isFalse();
                assertThat(s.replayLogEntries()).as("only what came after the checkpoint").isLessThan(60);
            });
            assertThat(eventsOf(n)).filteredOn(GroupEvent.CheckpointStable.class::isInstance).isNotEmpty();
            ClusterStatus raft = n.status();
            // A Raft snapshot comes only every cluster.snapshotEvery (10000) entries: these checkpoints are the host's own.
            assertThat(raft.snapshotIndex()).as("no Raft snapshot yet").isEqualTo(-1);
            assertThat(raft.logStartIndex()).as("and the whole log kept").isZero();
        }
        try (RespClient c = new RespClient(leader.gateway().port())) {
            for (int i = 0; i < 5; i++) { // most likely a tail after the last checkpoints, for the replacements to replay
                assertThat(c.call("INCR", "counter")).isEqualTo(++counter);
            }
        }

        // One server of each host, killed after its host cut its log: each host rebuilds its own from its own checkpoint.
        killAndAwaitRebuilt(leader, 0);
        killAndAwaitRebuilt(follower, 1);

        // Two of the follower's three at once, while writes go on: those committed while it has fewer than 2 healthy
        // servers go into its log, and the replacements replay them after its checkpoint.
        int before = eventsOf(follower).size();
        for (int victim : new int[] {0, 2}) {
            Signals.send("KILL", follower.gateway().status().replicas().get(victim).pid());
        }
        try (RespClient c = new RespClient(leader.gateway().port())) {
            for (int i = 0; i < 10; i++) {
                assertThat(c.call("INCR", "counter")).isEqualTo(++counter);
            }
        }
        for (int victim : new int[] {0, 2}) {
            await().atMost(Duration.ofSeconds(20)).until(() -> eventsOf(follower).subList(before, eventsOf(follower).size())
                    .stream().anyMatch(e -> e instanceof GroupEvent.RecoveryCompleted r && r.replica() == victim));
        }

        for (ClusterNode n : nodes) {
            try (RespClient c = new RespClient(n.gateway().port())) {
                for (int i = 0; i < 100; i++) {
                    assertThat(RespClient.text(c.call("GET", "k" + i))).isEqualTo("v" + i);
                }
                assertThat(RespClient.text(c.call("GET", "counter"))).isEqualTo(Long.toString(counter));
            }
        }
        // Every server of both hosts holds the same data: the same writes, each applied once.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<String> digests = new ArrayList<>();
            for (ClusterNode n : nodes) {
                for (GatewayStatus.ReplicaStatus r : n.gateway().status().replicas()) {
                    try (RespClient direct = new RespClient(r.port())) {
                        digests.add(RespClient.text(direct.call("DEBUG", "DIGEST")));
                    }
                }
            }
            assertThat(digests).hasSize(6).containsOnly(digests.get(0));
            assertThat(digests.get(0)).isNotEqualTo("0000000000000000000000000000000000000000");
        });
        for (ClusterNode n : nodes) {
            assertThat(eventsOf(n)).as("host %s", n.config().id()).filteredOn(e -> e instanceof GroupEvent.FailStopped
                    || e instanceof GroupEvent.FaultDetected f && f.kind() == FaultKind.DIVERGENCE).isEmpty();
        }
    }

    /**
     * Kills one server of {@code host} after its log was cut; its replacement loads the host's stored checkpoint (its
     * log shows Redis reading the file) and replays only the tail.
     */
    private void killAndAwaitRebuilt(ClusterNode host, int victim) throws Exception {
        GatewayStatus before = host.gateway().status();
        assertThat(before.checkpoint()).isPositive();
        GatewayStatus.ReplicaStatus replica = before.replicas().get(victim);
        List<GroupEvent> seen = eventsOf(host);
        int from = seen.size();
        Signals.send("KILL", replica.pid());
        await().atMost(Duration.ofSeconds(20)).until(() -> seen.subList(from, seen.size()).stream()
                .anyMatch(e -> e instanceof GroupEvent.RecoveryCompleted r && r.replica() == victim));
        GroupEvent.RecoveryCompleted done = seen.subList(from, seen.size()).stream()
                .filter(e -> e instanceof GroupEvent.RecoveryCompleted r && r.replica() == victim)
                .map(GroupEvent.RecoveryCompleted.class::cast).findFirst().orElseThrow();
        assertThat(done.replayed()).as("the tail after host %s's checkpoint, not all 205 writes", host.config().id())
                .isLessThan(60L);
        assertThat(host.gateway().status().replicas().get(victim).pid()).isNotEqualTo(replica.pid());
        assertThat(Files.readString(replica.log())).as("the replacement read the checkpoint's dump.rdb")
                .contains("DB loaded from disk");
    }
}
