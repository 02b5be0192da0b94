package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.resh.admin.AdminConfig;
import io.resh.admin.AdminServer;
import io.resh.gateway.Gateway;
import io.resh.gateway.GatewayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A voting gateway of three real redis-servers behind a real admin server, as {@code resh serve} runs a
 * config with a {@code server:} section: its status, its events and its metrics reach the admin API and
 * {@code resh status}.
 */
@Tag("e2e")
class GatewayAdminTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private Gateway gateway;
    private GatewayAdminView view;
    private AdminServer admin;
    private Gateway replacement;

    private static final String CACHE = """
            group: cache
            replicas: 3
            server:
              command: redis-server --port {port} --bind 127.0.0.1 --save "" --appendonly no
            listen: { port: 0, protocol: resp }
            deadline: 1s
            """;

    @BeforeEach
    void start() {
        gateway = Gateway.start(GatewayConfig.parse(CACHE, "cache.yaml").withWorkDir(dir.resolve("cache")));
        view = new GatewayAdminView(gateway);
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(), null, List.of(view));
    }

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (replacement != null) {
            replacement.close();
        }
    }

    /** As a cluster host's gateway restarted from the leader's snapshot: the admin shows the new one and its events. */
    @Test
    void shouldFollowTheGatewayThatReplacedTheOneShown() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> AdminFixture.parse(get("api/gateways")).size() == 1);
        replacement = Gateway.start(GatewayConfig.parse(CACHE, "cache.yaml").withWorkDir(dir.resolve("cache-2")));
        gateway.close();
        view.follow(replacement);
        await().atMost(Duration.ofSeconds(10)).until(() -> AdminFixture.parse(get("api/gateways/cache")).path("port")
                .asInt() == replacement.port());

        long victim = AdminFixture.parse(get("api/gateways/cache")).path("replicas").get(1).path("pid").asLong();
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (JsonNode e : AdminFixture.parse(get("api/events?group=cache"))) {
                if (e.path("type").asText().equals("recovered") && e.path("replica").asInt() == 1) {
                    return true;
                }
            }
            return false;
        });
    }

    private String get(String path) throws Exception {
        return AdminFixture.get(admin, path);
    }

    @Test
    void shouldShowTheGatewayAndRecordAKilledServersFaultAndRecovery() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> AdminFixture.parse(get("api/gateways")).size() == 1);
        JsonNode g = AdminFixture.parse(get("api/gateways/cache"));
        assertThat(g.path("mode").asText()).isEqualTo("ordered");
        assertThat(g.path("replicas")).hasSize(3);
        long victim = g.path("replicas").get(2).path("pid").asLong();

        ProcessHandle.of(victim).orElseThrow().destroyForcibly(); // SIGKILL one server

        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (JsonNode e : AdminFixture.parse(get("api/events?group=cache"))) {
                if (e.path("type").asText().equals("recovered") && e.path("replica").asInt() == 2) {
                    return true;
                }
            }
            return false;
        });
        // Read once, right after the event was seen: the admin re-reads a gateway's status when such an event
        // happens and answers with that fresh status, not one up to half a second old.
        JsonNode now = AdminFixture.parse(get("api/gateways/cache")).path("replicas").get(2);
        assertThat(now.path("incarnation").asInt()).isEqualTo(2);
        assertThat(now.path("state").asText()).isEqualTo("live");
        assertThat(now.path("faults").asInt()).isEqualTo(1);
        JsonNode events = AdminFixture.parse(get("api/events?group=cache"));
        assertThat(events.toString()).contains("\"kind\":\"crash\"").contains("\"replica\":2");
        String metrics = get("metrics");
        assertThat(metrics).containsPattern("resh_gateway_faults_total\\{[^}]*group=\"cache\"[^}]*replica=\"2\"[^}]*\\} 1\\.0")
                .contains("resh_gateway_replicas_live{group=\"cache\"}");

        AdminFixture.Run status = AdminFixture.runExactly(StatusCommand.class, "--url", admin.url(), "--token-file",
                admin.tokenFile().toString());
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).contains("cache  gateway, 3 servers (masks f=1)  ordered mode, resp on 127.0.0.1:"
                + gateway.port() + "  SERVING").contains("REPLICA  STATE  CORE  PID");
        assertThat(status.out().lines().filter(l -> l.matches("  2  +live  +-  +[0-9]+ .* 2  +1  +crash.*")))
                .as("an unpinned server has no core").hasSize(1);
    }

    /** resh inject works on replica groups; against a gateway it says what to do instead. */
    @Test
    void shouldTellInjectAndStatusThatTheGatewayIsNoReplicaGroup() {
        String[] to = {"--url", admin.url(), "--token-file", admin.tokenFile().toString()};
        AdminFixture.Run inject = AdminFixture.runExactly(InjectCommand.class, "crash", "-r", "0", to[0], to[1], to[2], to[3]);
        assertThat(inject.exit()).isEqualTo(1);
        assertThat(inject.err().strip()).isEqualTo("resh inject: the server runs no replica group, only the gateway cache in"
                + " front of unmodified servers: faults are injected into replica groups only; to fault one of its servers,"
                + " kill -9 or kill -STOP a server pid that resh status shows");
        AdminFixture.Run named = AdminFixture.runExactly(InjectCommand.class, "crash", "-r", "0", "-g", "cache", to[0], to[1],
                to[2], to[3]);
        assertThat(named.err()).contains("'cache' is a gateway in front of unmodified servers, not a replica group");
        AdminFixture.Run status = AdminFixture.runExactly(StatusCommand.class, "-g", "nope", to[0], to[1], to[2], to[3]);
        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.err()).contains("no group 'nope'; groups: none; gateways: cache");
    }
}
