package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A gateway whose status poll fails (or answers something that is not a status) keeps its last status, marked
 * {@code unreachable} with the reason and since when, until a poll works; its metrics say it is unreachable.
 */
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
        assertThat(down.get("unreachableSinceMillis").asLong()).isPositive();
        assertThat(down.get("requests").asLong()).as("the last status").isEqualTo(5);
        assertThat(down.get("replicas").get(0).get("state").asText()).isEqualTo("live");
        assertThat(calls.json("/api/gateways").get(0).get("unreachable").asText()).isEqualTo("gateway event loop stopped");

        gateway.report(status(6));
        JsonNode up = await().atMost(Duration.ofSeconds(10))
                .until(() -> calls.json("/api/gateways/gw"), s -> !s.has("unreachable"));

        assertThat(up.get("requests").asLong()).as("the fresh status").isEqualTo(6);
        assertThat(calls.json("/api/gateways").get(0).has("unreachable")).isFalse();
    }

    /**
     * A gateway that was down when the admin server started used to be left out of {@code /api/gateways}, so of the
     * dashboard and {@code resh status}: it is listed as unreachable, with why and since when.
     */
    @Test
    void shouldListAGatewayThatNeverReportedItsStatusAsUnreachableWithWhyAndSinceWhen(@TempDir Path dir) {
        ScriptedGateway gateway = new ScriptedGateway("gw", status(0));
        gateway.fail(new IllegalStateException("gateway event loop stopped\n\tand a second line"));
        long before = System.currentTimeMillis();
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(), null, List.of(gateway));
        AdminCalls calls = new AdminCalls(admin);

        JsonNode all = calls.json("/api/gateways"); // the first answer waits for the first poll

        assertThat(all).hasSize(1);
        JsonNode down = all.get(0);
        assertThat(down.get("group").asText()).isEqualTo("gw");
        assertThat(down.get("unreachable").asText()).as("one line").isEqualTo("gateway event loop stopped");
        assertThat(down.get("unreachableSinceMillis").asLong()).isBetween(before, System.currentTimeMillis());
        assertThat(down.get("replicas")).isEmpty();
        assertThat(calls.json("/api/gateways/gw")).as("one gateway, as in the list").isEqualTo(down);
        assertThat(calls.metric("resh_gateway_reachable", "group=\"gw\"")).isZero();

        gateway.report(status(1));
        JsonNode up = await().atMost(Duration.ofSeconds(10))
                .until(() -> calls.json("/api/gateways/gw"), s -> !s.has("unreachable"));
        assertThat(up.get("requests").asLong()).isEqualTo(1);
        assertThat(up.has("unreachableSinceMillis")).isFalse();
    }

    /** The replicas-live gauge kept claiming the servers of the last status while nobody knew whether they still ran. */
    @Test
    void shouldExportAnUnreachableGatewayAsUnreachableAndNotItsLastLiveServers(@TempDir Path dir) {
        ScriptedGateway gateway = new ScriptedGateway("gw", status(5));
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(), null, List.of(gateway));
        AdminCalls calls = new AdminCalls(admin);
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.metric("resh_gateway_reachable", "group=\"gw\"") == 1);
        assertThat(calls.metric("resh_gateway_replicas_live", "group=\"gw\"")).isEqualTo(1);

        gateway.fail(new IllegalStateException("gateway event loop stopped"));
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.metric("resh_gateway_reachable", "group=\"gw\"") == 0);

        assertThat(calls.send("GET", "/metrics", null).body()).contains("resh_gateway_replicas_live{group=\"gw\"} NaN\n");

        gateway.report(status(6));
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.metric("resh_gateway_reachable", "group=\"gw\"") == 1);
        assertThat(calls.metric("resh_gateway_replicas_live", "group=\"gw\"")).isEqualTo(1);
    }

    /**
     * An Error thrown by a status poll (a bug in the gateway or its view) ended that gateway's polling for good: its
     * last status stayed on show as if it were fresh. It is one more reason to be unreachable, logged once.
     */
    @Test
    void shouldKeepPollingAGatewayWhosePollThrowsAnError(@TempDir Path dir) {
        ScriptedGateway gateway = new ScriptedGateway("gw", status(5));
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(), null, List.of(gateway));
        AdminCalls calls = new AdminCalls(admin);
        assertThat(calls.json("/api/gateways/gw").has("unreachable")).isFalse();
        Logger watchLog = (Logger) LoggerFactory.getLogger(GatewayWatch.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        watchLog.addAppender(seen);
        try {
            gateway.fail(new AssertionError("replica table out of step"));
            JsonNode down = await().atMost(Duration.ofSeconds(10))
                    .until(() -> calls.json("/api/gateways/gw"), s -> s.has("unreachable"));
            assertThat(down.get("unreachable").asText()).isEqualTo("java.lang.AssertionError: replica table out of step");
            assertThat(down.get("requests").asLong()).as("the last status").isEqualTo(5);

            gateway.fail(new StackOverflowError());
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.json("/api/gateways/gw").path("unreachable").asText()
                    .equals("java.lang.StackOverflowError"));
            gateway.report(status(6));
            JsonNode up = await().atMost(Duration.ofSeconds(10))
                    .until(() -> calls.json("/api/gateways/gw"), s -> !s.has("unreachable"));

            assertThat(up.get("requests").asLong()).isEqualTo(6);
            assertThat(seen.list).singleElement().satisfies(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).isEqualTo("admin: gateway gw did not report its status:"
                        + " java.lang.AssertionError: replica table out of step");
            });
        } finally {
            watchLog.detachAppender(seen);
        }
    }

    /**
     * A status that is JSON but not an object used to be shown as it was, and made the gateway's view fail with a 500
     * once a poll failed. It is a bad answer: the gateway is unreachable, saying so, and the others are still shown.
     */
    @Test
    void shouldShowAGatewayWhoseStatusIsNotAJsonObjectAsUnreachableBesideTheOthers(@TempDir Path dir) {
        ScriptedGateway good = new ScriptedGateway("good", status("good", 5));
        ScriptedGateway bad = new ScriptedGateway("bad", "[{\"replica\":0,\"state\":\"live\"}]");
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(), null, List.of(good, bad));
        AdminCalls calls = new AdminCalls(admin);

        JsonNode all = calls.json("/api/gateways");

        assertThat(all).hasSize(2);
        assertThat(all.get(0).get("group").asText()).isEqualTo("good");
        assertThat(all.get(0).get("requests").asLong()).isEqualTo(5);
        assertThat(all.get(0).has("unreachable")).isFalse();
        assertThat(all.get(1).get("group").asText()).isEqualTo("bad");
        assertThat(all.get(1).get("unreachable").asText()).isEqualTo("gateway bad answered a status that is not a JSON"
                + " object (an array); its GatewayView must return one object");

        bad.report("not json at all");
        JsonNode notJson = await().atMost(Duration.ofSeconds(10)).until(() -> calls.json("/api/gateways/bad"),
                s -> s.get("unreachable").asText().contains("not JSON"));
        assertThat(notJson.get("unreachable").asText()).startsWith("gateway bad answered a status that is not JSON: ")
                .doesNotContain("\n");
        bad.fail(new IllegalStateException("gateway event loop stopped"));
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.json("/api/gateways/bad").get("unreachable").asText()
                .equals("gateway event loop stopped"));
        assertThat(calls.json("/api/gateways").get(0).get("requests").asLong()).isEqualTo(5);
    }

    private static String status(long requests) {
        return status("gw", requests);
    }

    private static String status(String group, long requests) {
        return "{\"group\":\"" + group + "\",\"mode\":\"tcp\",\"protocol\":\"redis\",\"host\":\"127.0.0.1\",\"port\":6380,"
                + "\"requests\":" + requests + ",\"failStop\":null,\"replicas\":[{\"replica\":0,\"state\":\"live\","
                + "\"pid\":100,\"port\":7000,\"incarnation\":1,\"faults\":0,\"lastFault\":null}]}";
    }
}
