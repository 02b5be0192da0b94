package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code resh status} and {@code resh cluster status} with {@code --url} once per host exited 0 while a host's group
 * had failed stop: only a host that did not answer changed it (1). They follow the contract of one server now: 1 when
 * a host could not be asked, else 3 when a host's group or gateway does not serve, else 0. The hosts are stand-ins that
 * answer {@code /api/cluster} as a cluster host does, so that each state is there on demand.
 */
class ClusterStatusExitTest {
    private static final String SERVING_GROUP = "{\"name\":\"kv\",\"failed\":null,\"replicaStates\":"
            + "[{\"state\":\"ACTIVE\"},{\"state\":\"ACTIVE\"},{\"state\":\"ACTIVE\"}]}";
    private static final String FAILED_GROUP = "{\"name\":\"kv\",\"failed\":\"no two replicas agree\",\"replicaStates\":"
            + "[{\"state\":\"ACTIVE\"},{\"state\":\"FAULTY\"},{\"state\":\"FAULTY\"}]}";
    private static final String SERVING_GATEWAY = "{\"group\":\"redis\",\"failStop\":null,\"replicas\":[{\"state\":\"live\"}]}";
    private static final String STOPPED_GATEWAY = "{\"group\":\"redis\",\"failStop\":\"no quorum\",\"replicas\":[]}";

    private final List<HttpServer> hosts = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        hosts.forEach(h -> h.stop(0));
    }

    /** A stand-in host whose {@code /api/cluster} reports {@code group} and {@code gateway} (JSON, or null). */
    private String host(String id, String group, String gateway) throws IOException {
        String body = "{\"id\":\"" + id + "\",\"role\":\"FOLLOWER\",\"leader\":\"h1\",\"term\":2,\"commitIndex\":5,"
                + "\"appliedIndex\":5,\"snapshotIndex\":-1,\"logStartIndex\":0,\"appliedRequests\":5,\"peers\":[],"
                + "\"group\":" + group + ",\"gateway\":" + gateway + ",\"settings\":\"\"}";
        HttpServer h = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        h.createContext("/api/cluster", exchange -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, b.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(b);
            }
        });
        h.start();
        hosts.add(h);
        return "http://127.0.0.1:" + h.getAddress().getPort() + "/";
    }

    /** Runs {@code resh status} and {@code resh cluster status} on the URLs; both must exit {@code expected}. */
    private void assertExit(int expected, String... urls) throws IOException {
        Path token = dir.resolve("admin.token");
        Files.writeString(token, "0".repeat(64));
        List<String> args = new ArrayList<>();
        for (String u : urls) {
            args.add("--url");
            args.add(u);
        }
        args.add("--token-file");
        args.add(token.toString());
        AdminFixture.Run status = AdminFixture.runExactly(StatusCommand.class, args.toArray(String[]::new));
        assertThat(status.exit()).as("resh status: " + status.out() + status.err()).isEqualTo(expected);
        List<String> cluster = new ArrayList<>(List.of("status"));
        cluster.addAll(args);
        AdminFixture.Run clusterStatus = AdminFixture.runExactly(ClusterCommand.class, cluster.toArray(String[]::new));
        assertThat(clusterStatus.exit()).as("resh cluster status: " + clusterStatus.out() + clusterStatus.err())
                .isEqualTo(expected);
        List<String> json = new ArrayList<>(args);
        json.add("--json");
        assertThat(AdminFixture.runExactly(StatusCommand.class, json.toArray(String[]::new)).exit()).as("--json too")
                .isEqualTo(expected);
    }

    @Test
    void shouldExit0WhenEveryHostsGroupOrGatewayServes() throws IOException {
        assertExit(0, host("h1", SERVING_GROUP, "null"), host("h2", "null", SERVING_GATEWAY));
    }

    @Test
    void shouldExit3WhenAHostsGroupFailedStop() throws IOException {
        assertExit(StatusCommand.NOT_SERVING, host("h1", SERVING_GROUP, "null"), host("h2", FAILED_GROUP, "null"));
    }

    @Test
    void shouldExit3WhenAHostsGatewayFailedStop() throws IOException {
        assertExit(StatusCommand.NOT_SERVING, host("h1", "null", SERVING_GATEWAY), host("h2", "null", STOPPED_GATEWAY));
    }

    /** A host restarting its group from an installed snapshot has none for the moment, as a group still starting. */
    @Test
    void shouldExit3WhenAHostsGroupRestarts() throws IOException {
        assertExit(StatusCommand.NOT_SERVING, host("h1", SERVING_GROUP, "null"), host("h2", "null", "null"));
    }

    /** What a host that was not asked runs is unknown: 1 goes before a 3 another host gives. */
    @Test
    void shouldExit1WhenAHostCannotBeAskedEvenIfAnotherDoesNotServe() throws IOException {
        assertExit(1, host("h1", FAILED_GROUP, "null"), "http://127.0.0.1:1/");
    }
}
