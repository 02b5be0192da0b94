package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A route that throws on the event loop before it returns its future (a bug, not a bad request) is answered
 * 500 and logged, like one whose future fails: it used to reach Netty, which closed the connection without an
 * answer and logged nothing above DEBUG.
 */
class AdminInternalErrorTest {
    private AdminServer admin;

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close();
        }
    }

    /**
     * A gateway view that reports its replicas array rather than the status object (valid JSON, but not what
     * {@link GatewayView#statusJson} promises) is shown as it is until a poll fails; then the admin adds
     * {@code unreachable} to an object that is not one, and the gateway route throws while it builds its reply.
     */
    @Test
    void shouldAnswer500AndLogTheRouteWhenARouteThrowsBeforeItReturnsItsFuture(@TempDir Path dir) {
        ScriptedGateway gateway = new ScriptedGateway("gw", "[{\"replica\":0,\"state\":\"live\"}]");
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(), null, List.of(gateway));
        AdminCalls calls = new AdminCalls(admin);
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.send("GET", "/api/gateways/gw", null).statusCode() == 200);
        Logger handlerLog = (Logger) LoggerFactory.getLogger(AdminHandler.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        handlerLog.addAppender(seen);
        try {
            gateway.fail(new IllegalStateException("gateway event loop stopped"));

            // Without an answer the client's send throws (the connection closed), which fails the wait at once.
            HttpResponse<String> r = await().atMost(Duration.ofSeconds(10))
                    .until(() -> calls.send("GET", "/api/gateways/gw", null), res -> res.statusCode() != 200);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(500);
            assertThat(r.body().strip()).as("one line").doesNotContain("\n");
            assertThat(AdminCalls.parse(r.body()).get("error").asText())
                    .startsWith("internal error: java.lang.ClassCastException: ").endsWith("; the admin server's log has the stack trace");
            assertThat(seen.list).anySatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).startsWith("admin: GET /api/gateways/gw failed: java.lang.ClassCastException: ")
                        .doesNotContain("\n");
                assertThat(e.getThrowableProxy()).as("the stack trace").isNotNull();
                assertThat(e.getThrowableProxy().getClassName()).isEqualTo(ClassCastException.class.getName());
            });
            assertThat(calls.send("GET", "/api/faults", null).statusCode()).as("the server still answers").isEqualTo(200);
        } finally {
            handlerLog.detachAppender(seen);
        }
    }
}
