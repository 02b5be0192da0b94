package io.resh.cluster;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * The lines one class, or every class under a logger name, logs during a test, as the user reads them:
 * {@code @RegisterExtension LoggedLines}.
 */
final class LoggedLines implements BeforeEachCallback, AfterEachCallback {
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger log;

    LoggedLines(Class<?> logger) {
        this.log = (Logger) LoggerFactory.getLogger(logger);
    }

    /** @param name a logger's name; its descendants' lines are captured too, e.g. {@code io.resh} for all of resh */
    LoggedLines(String name) {
        this.log = (Logger) LoggerFactory.getLogger(name);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        logged.start();
        log.addAppender(logged);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        log.detachAppender(logged);
    }

    /** Each line's message, formatted, in the order logged. */
    List<String> lines() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
