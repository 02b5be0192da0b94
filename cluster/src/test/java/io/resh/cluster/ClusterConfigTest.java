package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.resh.core.ConfigException;
import io.resh.core.config.GroupConfig;
import io.resh.host.ConfigFile;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static final String BASE = """
            group: kv
            replicas: 3
            service: {class: io.resh.examples.kv.KvStore}
            cluster:
              id: h2
              storage: /tmp/x
              peers:
                - {id: h1, address: "127.0.0.1:7501", client: "127.0.0.1:7401"}
                - {id: h2, address: "127.0.0.1:7502", client: "127.0.0.1:7402"}
            """;

    private static JsonNode yaml(String text) throws Exception {
        return YAML.readTree(text);
    }

    @Test
    void shouldRefuseAGatewayModeThatHasNoRequestsToOrderBeforeStartingAnything(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        var stream = io.resh.gateway.GatewayConfig.parse("""
                server: {command: "redis-server --port {port}"}
                listen: {port: 0, mode: stream}
                """, "s.yaml");
        ClusterConfig c = Loopback.config("h1", Loopback.peers(1), dir.resolve("h1"), 100);
        assertThatThrownBy(() -> ClusterNode.startGateway(c, stream, java.util.List.of(), false))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("listen.mode: a cluster can order only mode ordered");
        assertThat(dir.resolve("h1")).doesNotExist();
    }

    /** Started Raft and the front door, and then failed: "cannot listen for clients on ...: Address already in use". */
    @Test
    void shouldRefuseAGatewayListenOnThisHostsClientAddressBeforeStartingAnything(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        ClusterConfig c = Loopback.config("h2", Loopback.peers(2), dir.resolve("h2"), 100);
        int client = c.self().client().getPort();
        var gateway = io.resh.gateway.GatewayConfig.parse("""
                server: {command: "redis-server --port {port}"}
                listen: {host: 127.0.0.1, port: %d, protocol: resp}
                """.formatted(client), "s.yaml");
        assertThatThrownBy(() -> ClusterNode.startGateway(c, gateway, java.util.List.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessage("listen.port: the gateway's 127.0.0.1:" + client + " is also h2's client"
                        + " (cluster.peers[1].client); the gateway needs a port of its own");
        assertThat(dir.resolve("h2")).doesNotExist();

        var onAll = new io.resh.gateway.GatewayConfig.Listen("0.0.0.0", c.self().address().getPort(), "resp",
                io.resh.gateway.GatewayConfig.Mode.ORDERED);
        assertThatThrownBy(() -> ClusterNode.refuseListenOnAPeerAddress(c, onAll))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is also h2's address (cluster.peers[1].address)");
        var otherPeersPortElsewhere = new io.resh.gateway.GatewayConfig.Listen("0.0.0.0",
                c.peers().get(0).client().getPort(), "resp", io.resh.gateway.GatewayConfig.Mode.ORDERED);
        ClusterNode.refuseListenOnAPeerAddress(c.withPeers(java.util.List.of(
                new ClusterPeer("h1", c.peers().get(0).address(), java.net.InetSocketAddress.createUnresolved("10.0.0.1",
                        c.peers().get(0).client().getPort())), c.self())), otherPeersPortElsewhere); // another machine: fine
    }

    /**
     * The gateway listens as the local group starts: a taken port failed only after the host's storage was made
     * and its servers had started.
     */
    @Test
    void shouldRefuseATakenGatewayPortBeforeStartingAnything(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ClusterConfig c = Loopback.config("h1", Loopback.peers(1), dir.resolve("h1"), 100);
            var gateway = io.resh.gateway.GatewayConfig.parse("""
                    server: {command: "redis-server --port {port} --save ''"}
                    listen: {host: 127.0.0.1, port: %d, protocol: resp}
                    """.formatted(taken.getLocalPort()), "s.yaml");
            assertThatThrownBy(() -> ClusterNode.startGateway(c, gateway, java.util.List.of(), false))
                    .isInstanceOf(io.resh.core.ReshException.class)
                    .hasMessageStartingWith("cannot start cluster host h1: the gateway cannot listen on 127.0.0.1:"
                            + taken.getLocalPort() + ": ")
                    .hasMessageEndingWith("; another program has that port: give listen.port in the config or --port"
                            + " another one (0: any free port)");
            assertThat(dir.resolve("h1")).as("nothing started").doesNotExist();
        }
    }

    /** docs/CLUSTER.md runs it; each host of the shared file gets its own storage and addresses. */
    @Test
    void shouldLoadTheShippedClusterExample() {
        JsonNode tree = ConfigFile.readTree(java.nio.file.Path.of("..", "examples", "kv-cluster.yaml"));
        for (String id : new String[] {"h1", "h2", "h3"}) {
            ClusterConfig c = ClusterConfig.parse(tree, id);
            assertThat(c.storage()).isEqualTo(java.nio.file.Path.of("/tmp/resh-kv-cluster", id));
            assertThat(c.peers()).hasSize(3);
            assertThat(c.self().id()).isEqualTo(id);
        }
        assertThat(ConfigFile.parse(ClusterConfig.withoutCluster(tree)).replicas()).isEqualTo(3);
    }

    @Test
    void shouldGiveEachHostItsOwnStorageWhenTheFileIsShared() throws Exception {
        JsonNode tree = yaml(BASE.replace("storage: /tmp/x", "storage: /tmp/x/{id}"));
        assertThat(ClusterConfig.parse(tree, null).storage()).isEqualTo(java.nio.file.Path.of("/tmp/x/h2"));
        assertThat(ClusterConfig.parse(tree, "h1").storage()).isEqualTo(java.nio.file.Path.of("/tmp/x/h1"));
    }

    @Test
    void shouldParseTheClusterSectionAndLeaveTheGroupToConfigFile() throws Exception {
        JsonNode tree = yaml(BASE);
        assertThat(ClusterConfig.present(tree)).isTrue();
        ClusterConfig c = ClusterConfig.parse(tree, null);
        assertThat(c.id()).isEqualTo("h2");
        assertThat(c.name()).isEqualTo("kv");
        assertThat(c.self().client().getPort()).isEqualTo(7402);
        assertThat(c.electionMin()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.snapshotEvery()).isEqualTo(10_000);
        GroupConfig g = ConfigFile.parse(ClusterConfig.withoutCluster(tree));
        assertThat(g.name()).isEqualTo("kv");
        assertThat(tree.has("cluster")).as("the original tree is not modified").isTrue();
    }

    @Test
    void shouldBuildAPeerFromAddressStrings() {
        ClusterPeer p = ClusterPeer.of("h4", "10.1.2.3:7501", "10.1.2.3:7401");
        assertThat(p.raftAddress()).isEqualTo("10.1.2.3:7501");
        assertThat(p.clientAddress()).isEqualTo("10.1.2.3:7401");
        assertThatThrownBy(() -> ClusterPeer.of("h4", "10.1.2.3", "10.1.2.3:7401"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("address: expected host:port");
        assertThatThrownBy(() -> ClusterPeer.of("h 4", "a:1", "a:2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("peer id");
    }

    @Test
    void shouldLetTheCommandLineChooseTheHost() throws Exception {
        assertThat(ClusterConfig.parse(yaml(BASE), "h1").self().raftAddress()).isEqualTo("127.0.0.1:7501");
    }

    /** Two peers on one Raft address were accepted; the host then started and failed every election. */
    @Test
    void shouldRefuseTwoPeersOnOneAddress() throws Exception {
        assertThatThrownBy(() -> ClusterConfig.parse(yaml(BASE.replace("127.0.0.1:7502", "127.0.0.1:7501")), null))
                .isInstanceOf(ConfigException.class).hasMessage("cluster.peers: h2's address 127.0.0.1:7501 is also "
                        + "h1's address; every host needs an address and a client address of its own");
        assertThatThrownBy(() -> ClusterConfig.parse(yaml(BASE.replace("127.0.0.1:7402", "127.0.0.1:7502")), null))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("cluster.peers: h2's client 127.0.0.1:7502"
                        + " is also h2's address");
    }

    @Test
    void shouldNameTheFieldOfEveryError() throws Exception {
        assertThatThrownBy(() -> ClusterConfig.parse(yaml(BASE), "h9")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.id").hasMessageContaining("h9");
        assertThatThrownBy(() -> ClusterConfig.parse(yaml(BASE.replace("7402\"}", "7402\", port: 1}")), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.peers[1].port");
        assertThatThrownBy(() -> ClusterConfig.parse(yaml(BASE.replace("127.0.0.1:7501", "nowhere")), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.peers[0].address")
                .hasMessageContaining("host:port");
        assertThatThrownBy(() -> ClusterConfig.parse(yaml(BASE.replace("id: h1", "id: h2")), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> ClusterConfig.parse(yaml(BASE + "  snapshotEvery: 0\n"), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.snapshotEvery");
        // Beyond a long, asLong() wrapped the number around into a positive one that was accepted.
        assertThatThrownBy(() -> ClusterConfig.parse(yaml(BASE + "  snapshotEvery: 27670116110564327424\n"), null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("cluster.snapshotEvery: expected a whole number of at most 9223372036854775807, got 27670116110564327424");
        assertThatThrownBy(() -> ClusterConfig.parse(yaml(BASE + "  logSegmentBytes: 27670116110564327424\n"), null))
                .isInstanceOf(ConfigException.class).hasMessageEndingWith("got 27670116110564327424");
        assertThatThrownBy(() -> ClusterConfig.parse(yaml(BASE + "  election: {min: 2s, max: 1s}\n"), null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("cluster.election.max: must be greater than election.min (2s), got 1s");
        // A zero timeout failed every request at once as "not committed within 0 ms" instead of refusing the file.
        assertThatThrownBy(() -> ClusterConfig.parse(yaml(BASE + "  requestTimeout: 0s\n"), null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("cluster.requestTimeout: expected a positive duration, got 0ms");
        assertThatThrownBy(() -> ClusterConfig.parse(yaml(BASE + "  election: {min: 0s, max: 1s}\n"), null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("cluster.election.min: expected a positive duration, got 0ms");
        assertThatThrownBy(() -> ClusterConfig.parse(yaml(BASE + "  leader: h1\n"), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.leader");
        assertThatThrownBy(() -> ClusterConfig.parse(yaml(BASE.replace("  storage: /tmp/x\n", "")), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.storage");
    }
}
