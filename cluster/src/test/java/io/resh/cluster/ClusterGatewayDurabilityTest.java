package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.gateway.GatewayConfig;
import io.resh.gateway.testing.RespClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single-peer cluster of gateways is the durable mode for unmodified servers: the servers keep
 * nothing on disk, yet after the host stops and starts again from its Raft log every acknowledged
 * write is back, replayed in order into fresh servers.
 */
@Tag("e2e")
class ClusterGatewayDurabilityTest {
    @TempDir
    Path dir;
    private ClusterNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private ClusterNode start(ClusterConfig config) {
        GatewayConfig gateway = GatewayConfig.parse("""
                group: durable
                replicas: 3
                server:
                  command: 'redis-server --port {port} --bind 127.0.0.1 --save "''" --appendonly no'
                listen: { protocol: resp, port: 0 }
                """, "durable.yaml");
        return ClusterNode.startGateway(config, gateway, List.of(), false);
    }

    @Test
    void shouldReplayEveryAcknowledgedWriteIntoFreshServersAfterARestart() throws Exception {
        ClusterConfig config = Loopback.config("h1", Loopback.peers(1), dir.resolve("h1"), 100);
        node = start(config);
        await().atMost(Duration.ofSeconds(20)).until(() -> node.status().leading());
        try (RespClient c = new RespClient(node.gateway().port())) {
            for (int i = 0; i < 50; i++) {
                assertThat(RespClient.text(c.call("SET", "k" + i, "v" + i))).isEqualTo("OK");
            }
            assertThat(c.call("RPUSH", "list", "a", "b", "c")).isEqualTo(3L);
        }
        long pidBefore = node.gateway().status().replicas().get(0).pid();
        node.close();
        node = null;

        node = start(config);
        assertThat(node.gateway().status().replicas().get(0).pid()).isNotEqualTo(pidBefore);
        await().atMost(Duration.ofSeconds(20)).until(() -> node.status().leading() && node.status().appliedRequests() >= 51);
        try (RespClient c = new RespClient(node.gateway().port())) {
            for (int i = 0; i < 50; i++) {
                assertThat(RespClient.text(c.call("GET", "k" + i))).isEqualTo("v" + i);
            }
            assertThat(c.call("LLEN", "list")).isEqualTo(3L);
        }
    }
}
