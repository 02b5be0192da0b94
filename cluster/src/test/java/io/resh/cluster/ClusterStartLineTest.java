package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.gateway.GatewayConfig;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The line a host logs when its local group starts says where the group's state came from. It said
 * "started from checkpoint #0 (Raft index -1)" for a host with no snapshot yet, and for a gateway, of whose
 * servers Raft takes no snapshots without {@code checkpoint:}; then that a gateway takes no checkpoints, though one
 * with {@code checkpoint:} takes its own, and Raft snapshots of them.
 */
@Tag("e2e")
class ClusterStartLineTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @RegisterExtension
    final LoggedLines logged = new LoggedLines(ClusterStateMachine.class);
    private ClusterNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private List<String> lines() {
        return logged.lines().stream()
                .filter(l -> l.startsWith("local group") || l.startsWith("local gateway")).toList();
    }

    @Test
    void shouldSayAGatewayStartsFreshServersAndAppliesTheWholeLog() {
        GatewayConfig gateway = GatewayConfig.parse("""
                group: line
                replicas: 1
                server:
                  command: 'redis-server --port {port} --bind 127.0.0.1 --save "''" --appendonly no'
                listen: { protocol: resp, port: 0 }
                """, "line.yaml").withWorkDir(dir.resolve("gw"));
        node = ClusterNode.startGateway(Loopback.config("h1", Loopback.peers(1), dir.resolve("h1"), 100), gateway,
                List.of(), false);

        assertThat(lines()).containsExactly("local gateway started with fresh servers; Raft takes no snapshots of a"
                + " gateway's servers without checkpoint:, so its log, kept whole, is applied to them from its start");
    }

    @Test
    void shouldSayAGroupWithoutASnapshotStartsFromItsInitialStateAndOneWithASnapshotFromIt() {
        ClusterConfig config = Loopback.config("h1", Loopback.peers(1), dir.resolve("h1"), 3);
        node = ClusterNode.start(config, TestGroups.counter("line", 3, dir).build(), List.of());
        assertThat(lines()).containsExactly("local group started from its initial state; no snapshot yet, so the Raft"
                + " log is applied from its start");

        await().atMost(Duration.ofSeconds(20)).until(() -> node.status().leading());
        for (int i = 0; i < 5; i++) {
            node.call("add:1".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> node.status().snapshotIndex() > 0);
        node.close();
        node = null;

        node = ClusterNode.start(config, TestGroups.counter("line", 3, dir).build(), List.of());
        assertThat(lines()).hasSize(2).last().asString()
                .matches("local group started from checkpoint #[1-9]\\d* \\(Raft index [1-9]\\d*\\)");
    }
}
