package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.FunctionCounter;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A route that throws on the event loop before it returns its future (a bug, not a bad request) is answered
 * 500 and logged, like one whose future fails: it used to reach Netty, which closed the connection without an
 * answer and logged nothing above DEBUG. So is one that throws an {@link Error} other than a fatal one of the JVM.
 *
 * <p>The bug here is in a meter the embedding application added to {@link AdminServer#registry()}: {@code /metrics}
 * reads it on the event loop, and it throws.
 */
class AdminInternalErrorTest {
    private AdminServer admin;
    private AdminCalls calls;
    private final Logger handlerLog = (Logger) LoggerFactory.getLogger(AdminHandler.class);
    private final ListAppender<ILoggingEvent> seen = new ListAppender<>();

    @BeforeEach
    void start(@TempDir Path dir) {
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of());
        calls = new AdminCalls(admin);
        seen.start();
        handlerLog.addAppender(seen);
    }

    @AfterEach
    void stop() {
        handlerLog.detachAppender(seen);
        if (admin != null) {
            admin.close();
        }
    }

    @Test
    void shouldAnswer500AndLogTheRouteWhenARouteThrowsBeforeItReturnsItsFuture() {
        breakMetricsWith(() -> {
            throw new IllegalStateException("the meter's pool is closed\n\tsecond line");
        });

        assertAnswered500AndLogged(IllegalStateException.class, "java.lang.IllegalStateException: the meter's pool is closed");
    }

    /** An Error thrown by a route used to reset the connection as an exception once did. */
    @Test
    void shouldAnswer500AndLogTheRouteWhenARouteThrowsAnAssertionError() {
        breakMetricsWith(() -> {
            throw new AssertionError("meter invariant broken");
        });

        assertAnswered500AndLogged(AssertionError.class, "java.lang.AssertionError: meter invariant broken");
    }

    @Test
    void shouldAnswer500AndLogTheRouteWhenARouteOverflowsItsStack() {
        breakMetricsWith(() -> {
            throw new StackOverflowError();
        });

        assertAnswered500AndLogged(StackOverflowError.class, "java.lang.StackOverflowError");
    }

    /** Out of memory, nothing can be trusted to go on: the error is not turned into an answer, and Netty drops the call. */
    @Test
    void shouldNotAnswerARouteThatRanOutOfMemory() {
        breakMetricsWith(() -> {
            throw new OutOfMemoryError("Java heap space");
        });

        Throwable t = catchThrowable(() -> calls.send("GET", "/metrics", null));

        assertThat(t).as("the connection closed without an answer").isInstanceOf(UncheckedIOException.class);
        assertThat(seen.list).as("not answered as a route's failure").noneMatch(e -> e.getLevel() == Level.WARN)
                .anySatisfy(e -> assertThat(e.getFormattedMessage()).as("the error reached Netty")
                        .endsWith("failed: java.lang.OutOfMemoryError: Java heap space"));
        assertThat(calls.send("GET", "/api/faults", null).statusCode()).as("the server still answers").isEqualTo(200);
    }

    /** Registers a meter of the application's own that runs {@code read} each time {@code /metrics} reads it. */
    private void breakMetricsWith(Runnable read) {
        FunctionCounter.builder("app.broken", read, r -> {
            r.run();
            return 0;
        }).register(admin.registry());
    }

    private void assertAnswered500AndLogged(Class<? extends Throwable> thrown, String what) {
        HttpResponse<String> r = calls.send("GET", "/metrics", null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(500);
        assertThat(r.body().strip()).as("one line").doesNotContain("\n");
        assertThat(AdminCalls.parse(r.body()).get("error").asText())
                .isEqualTo("internal error: " + what + "; the admin server's log has the stack trace");
        assertThat(seen.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).isEqualTo("admin: GET /metrics failed: " + what);
            assertThat(e.getThrowableProxy()).as("the stack trace").isNotNull();
            assertThat(e.getThrowableProxy().getClassName()).isEqualTo(thrown.getName());
        });
        assertThat(calls.send("GET", "/api/faults", null).statusCode()).as("the server still answers").isEqualTo(200);
    }
}
