package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.gateway.GatewayConfig;
import io.resh.gateway.GatewayStatus;
import io.resh.gateway.testing.RespClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's ordered mode in front of a cluster: three hosts in this JVM, each with three real
 * redis-server replicas behind its gateway; every client command goes through the Raft log and is
 * executed by all nine servers.
 */
@Tag("e2e")
class ClusterGatewayTest {
    private static final String REDIS = "redis-server --port {port} --bind 127.0.0.1 --save \"\" --appendonly no";

    @TempDir
    Path dir;

    private final List<ClusterNode> nodes = new ArrayList<>();
    private final Map<String, List<GroupEvent>> events = new ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        List<ClusterPeer> peers = Loopback.peers(3);
        for (ClusterPeer p : peers) {
            GatewayConfig gateway = GatewayConfig.parse("""
                    group: redis-%s
                    replicas: 3
                    server:
                      command: '%s'
                    listen: { protocol: resp, port: 0 }
                    deadline: 2s
                    """.formatted(p.id(), REDIS.replace("'", "''")), "redis-cluster.yaml").withWorkDir(dir.resolve("gw-" + p.id()));
            List<GroupEvent> seen = new CopyOnWriteArrayList<>();
            events.put(p.id(), seen);
            nodes.add(ClusterNode.startGateway(Loopback.config(p.id(), peers, dir.resolve(p.id()), 100), gateway,
                    List.of(seen::add), false));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().map(n -> n.status().leader()).distinct()
                .filter(l -> !l.isEmpty()).count() == 1 && !nodes.get(0).status().leader().isEmpty());
    }

    @AfterEach
    void stop() {
        nodes.forEach(ClusterNode::close);
    }

    private ClusterNode leader() {
        return nodes.stream().filter(n -> n.status().leading()).findFirst().orElseThrow();
    }

    private ClusterNode follower() {
        return nodes.stream().filter(n -> !n.status().leading()).findFirst().orElseThrow();
    }

    private static int port(ClusterNode n) {
        return n.gateway().port();
    }

    private static String get(int port, String key) throws IOException {
        try (RespClient c = new RespClient(port)) {
            return RespClient.text(c.call("GET", key));
        }
    }

    @Test
    void shouldExecuteEveryCommandOnEveryHostsServersInLogOrder() throws Exception {
        ClusterNode follower = follower();
        try (RespClient c = new RespClient(port(follower))) {
            assertThat(RespClient.text(c.call("SET", "greeting", "hello"))).isEqualTo("OK");
        }
        // Counting through all three hosts' gateways, one after the other: one order for all of them.
        for (int i = 1; i <= 30; i++) {
            try (RespClient c = new RespClient(port(nodes.get(i % 3)))) {
                assertThat(c.call("INCR", "n")).isEqualTo((long) i);
            }
        }
        for (ClusterNode n : nodes) {
            assertThat(get(port(n), "greeting")).isEqualTo("hello");
        }
        // Every one of the nine servers applied every write, followers included.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (ClusterNode n : nodes) {
                for (GatewayStatus.ReplicaStatus r : n.gateway().status().replicas()) {
                    assertThat(get(r.port(), "n")).as("host %s replica %d", n.config().id(), r.replica()).isEqualTo("30");
                }
            }
        });
        ClusterStatus s = follower.status();
        assertThat(s.gateway()).isNotNull();
        assertThat(s.gateway().liveReplicas()).isEqualTo(3);
        assertThat(s.group()).isNull();
        assertThat(s.toJson()).contains("\"gateway\":{").contains("\"leader\":\"" + leader().config().id() + "\"");
        events.values().forEach(e -> assertThat(e).filteredOn(GroupEvent.FaultDetected.class::isInstance).isEmpty());
    }

    @Test
    void shouldMaskACorruptedServerInsideTheLeaderAndGoOnWhenTheLeaderIsLost() throws Exception {
        ClusterNode leader = leader();
        try (RespClient c = new RespClient(port(leader))) {
            assertThat(RespClient.text(c.call("SET", "k", "right"))).isEqualTo("OK");
        }
        // A real fault in one server's state: its copy of k is overwritten behind the gateway's back.
        await().atMost(Duration.ofSeconds(10)).until(() -> "right".equals(get(leader.gateway().status().replicas().get(1).port(), "k")));
        try (RespClient direct = new RespClient(leader.gateway().status().replicas().get(1).port())) {
            assertThat(RespClient.text(direct.call("SET", "k", "wrong"))).isEqualTo("OK");
        }
        ClusterNode other = follower();
        assertThat(get(port(other), "k")).as("the client gets the leader's voted reply").isEqualTo("right");
        List<GroupEvent> leaderEvents = events.get(leader.config().id());
        await().atMost(Duration.ofSeconds(10)).until(() -> leaderEvents.stream().anyMatch(e -> e instanceof GroupEvent.FaultDetected));
        GroupEvent.FaultDetected fault = (GroupEvent.FaultDetected) leaderEvents.stream()
                .filter(GroupEvent.FaultDetected.class::isInstance).findFirst().orElseThrow();
        assertThat(fault.replica()).isEqualTo(1);
        assertThat(fault.kind()).isEqualTo(FaultKind.DIVERGENCE);

        // The whole leader host goes away; the others elect a new leader and keep serving writes.
        String lost = leader.config().id();
        leader.close();
        nodes.remove(leader);
        try (RespClient c = new RespClient(port(other), 20_000)) {
            assertThat(RespClient.text(c.call("SET", "after", "failover"))).isEqualTo("OK");
            assertThat(RespClient.text(c.call("GET", "k"))).isEqualTo("right");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> nodes.stream().allMatch(n -> {
            String l = n.status().leader();
            return !l.isEmpty() && !l.equals(lost);
        }));
        for (ClusterNode n : nodes) {
            await().atMost(Duration.ofSeconds(10)).until(() -> "failover".equals(get(port(n), "after")));
        }
    }
}
