package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.resh.admin.AdminConfig;
import io.resh.admin.AdminServer;
import io.resh.gateway.Gateway;
import io.resh.gateway.testing.FramedCounterServer;
import io.resh.gateway.testing.GatewayExtension;
import io.resh.gateway.testing.JavaCommand;
import io.resh.gateway.testing.Signals;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A voting gateway that finds a request every server answered but every replacement dies replaying, behind a real
 * admin server: the user who alerts on events gets an {@code unreplayable-request} event in the event log, the API,
 * {@code resh events --type} and the metrics, not only a line at the end of one fault's evidence.
 */
@Tag("e2e")
class GatewayUnreplayableRequestTest {
    @RegisterExtension
    final GatewayExtension gateway = new GatewayExtension();
    private AdminServer admin;

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close(); // before the gateway, which the extension closes after this
        }
    }

    private String get(String path) throws Exception {
        return AdminFixture.get(admin, path);
    }

    @Test
    void shouldReportARequestThatKillsEveryServerReplayingItAsAnEventOfItsOwn() throws Exception {
        Path exit = gateway.dir().resolve("exit");
        Gateway g = gateway.start("""
                group: replay-death
                replicas: 4
                server:
                  command: %s
                  readyTimeout: 20s
                listen: { protocol: line }
                deadline: 6s
                """.formatted(JavaCommand.yaml(FramedCounterServer.class, "line", "{port}", "--exit-trigger", exit.toString())));
        Path home = gateway.dir().resolve("admin");
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(home), List.of(), null,
                List.of(new GatewayAdminView(g)));
        try (Socket s = gateway.connect()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            out.write("INCR a\nEXIT b\nINCR a\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("a=1");
            assertThat(in.readLine()).isEqualTo("b=1");
            assertThat(in.readLine()).isEqualTo("a=2");
        }
        gateway.awaitQuiet(); // every server executed all three
        Files.writeString(exit, "x"); // from now on, a server that executes EXIT dies: every replacement replaying it
        Signals.send("KILL", gateway.pid(0));
        Signals.send("KILL", gateway.pid(1));

        JsonNode event = await().atMost(Duration.ofSeconds(90)).until(() -> {
            JsonNode found = AdminFixture.parse(get("api/events?group=replay-death&type=unreplayable-request"));
            return found.size() == 0 ? null : found;
        }, found -> found != null).get(0);
        String report = g.status().unreplayableRequest();
        assertThat(report).startsWith("request #2 (EXIT) kills every server that replays it");
        assertThat(event.path("type").asText()).isEqualTo("unreplayable-request");
        assertThat(event.path("sequence").asLong()).isEqualTo(2);
        assertThat(event.path("request").asText()).isEqualTo("request #2 (EXIT)");
        assertThat(event.path("replacementsFailed").asInt()).isEqualTo(4);
        assertThat(event.path("replicasExecuted").asInt()).isEqualTo(2);
        assertThat(event.path("replicasNotRebuilt").asInt()).isEqualTo(2);
        assertThat(event.path("serving").asBoolean(false)).isTrue();
        assertThat(event.path("evidence").asText()).as("the gateway status' line, with what to do")
                .isEqualTo(report).endsWith("fix what makes the server fail on it, and the next replacement to replay it"
                        + " rejoins");

        assertThat(Files.readAllLines(home.resolve("events.jsonl"))).as("the event log")
                .filteredOn(l -> l.contains("\"type\":\"unreplayable-request\"")).singleElement()
                .satisfies(l -> assertThat(AdminFixture.parse(l)).isEqualTo(event));
        AdminFixture.Run events = AdminFixture.runExactly(EventsCommand.class, "--type", "unreplayable-request",
                "--url", admin.url(), "--token-file", admin.tokenFile().toString());
        assertThat(events.exit()).as(events.err()).isZero();
        assertThat(events.out().lines()).singleElement().asString()
                .endsWith("  replay-death  #2  unreplayable-request  " + report);
        assertThat(get("metrics")).contains("resh_gateway_unreplayable_requests_total{group=\"replay-death\"} 1.0");
    }
}
