package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gateway whose status poll fails keeps its last status, marked {@code unreachable} with the reason, until a poll works. */
class GatewayUnreachableTest {
    private AdminServer admin;

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close();
        }
    }

    @Test
    void shouldShowTheLastStatusAsUnreachableWhileThePollFailsAndClearItOnceThePollWorks(@TempDir Path dir) {
        ScriptedGateway gateway = new ScriptedGateway("gw", status(5));
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(), null, List.of(gateway));
        AdminCalls calls = new AdminCalls(admin);
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.send("GET", "/api/gateways/gw", null).statusCode() == 200);
        assertThat(calls.json("/api/gateways/gw").has("unreachable")).isFalse();

        gateway.fail(new IllegalStateException("gateway event loop stopped"));
        JsonNode down = await().atMost(Duration.ofSeconds(10))
                .until(() -> calls.json("/api/gateways/gw"), s -> s.has("unreachable"));

        assertThat(down.get("unreachable").asText()).isEqualTo("gateway event loop stopped");
        assertThat(down.get("requests").asLong()).as("the last status").isEqualTo(5);
        assertThat(down.get("replicas").get(0).get("state").asText()).isEqualTo("live");
        assertThat(calls.json("/api/gateways").get(0).get("unreachable").asText()).isEqualTo("gateway event loop stopped");

        gateway.report(status(6));
        JsonNode up = await().atMost(Duration.ofSeconds(10))
                .until(() -> calls.json("/api/gateways/gw"), s -> !s.has("unreachable"));

        assertThat(up.get("requests").asLong()).as("the fresh status").isEqualTo(6);
        assertThat(calls.json("/api/gateways").get(0).has("unreachable")).isFalse();
    }

    /** Without a status to show, the answer used to be a bare "not reported yet; retry", hiding why. */
    @Test
    void shouldSayWhyAGatewayThatNeverReportedItsStatusHasNone(@TempDir Path dir) {
        ScriptedGateway gateway = new ScriptedGateway("gw", status(0));
        gateway.fail(new IllegalStateException("gateway event loop stopped"));
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(), null, List.of(gateway));
        AdminCalls calls = new AdminCalls(admin);

        HttpResponse<String> r = await().atMost(Duration.ofSeconds(5))
                .until(() -> calls.send("GET", "/api/gateways/gw", null), res -> res.body().contains("stopped"));

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(AdminCalls.parse(r.body()).get("error").asText()).isEqualTo("gateway gw has not reported its status yet"
                + " (its status poll failed: gateway event loop stopped); retry");

        gateway.report(status(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.send("GET", "/api/gateways/gw", null).statusCode() == 200);
        assertThat(calls.json("/api/gateways/gw").get("requests").asLong()).isEqualTo(1);
    }

    private static String status(long requests) {
        return "{\"group\":\"gw\",\"mode\":\"tcp\",\"protocol\":\"redis\",\"host\":\"127.0.0.1\",\"port\":6380,"
                + "\"requests\":" + requests + ",\"failStop\":null,\"replicas\":[{\"replica\":0,\"state\":\"live\","
                + "\"pid\":100,\"port\":7000,\"incarnation\":1,\"faults\":0,\"lastFault\":null}]}";
    }
}
