package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class TuningPropertyTest {
    private static final String NAME = "resh.test.tuning";
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger log = (Logger) LoggerFactory.getLogger(TuningProperty.class);

    @BeforeEach
    void listen() {
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void forget() {
        log.detachAppender(logged);
        System.clearProperty(NAME);
    }

    @Test
    void shouldUseAValueInRangeAndTheDefaultWhenUnsetWithoutAWord() {
        assertThat(TuningProperty.number(NAME, 7, 0, 100)).isEqualTo(7);
        System.setProperty(NAME, " 42 ");
        assertThat(TuningProperty.number(NAME, 7, 0, 100)).isEqualTo(42);
        System.setProperty(NAME, "nice");
        assertThat(TuningProperty.choice(NAME, "idle", List.of("idle", "nice"))).isEqualTo("nice");
        assertThat(logged.list).isEmpty();
    }

    /** Long.getLong took "4m" for the default in silence, and -1 was used as given. */
    @Test
    void shouldSayWhichValueItIgnoresAndWhatItUsesInstead() {
        System.setProperty(NAME, "4m");
        assertThat(TuningProperty.number(NAME, 7, 0, 100)).isEqualTo(7);
        System.setProperty(NAME, "-1");
        assertThat(TuningProperty.number(NAME, 7, 0, 100)).isEqualTo(7);
        System.setProperty(NAME, "busy");
        assertThat(TuningProperty.choice(NAME, "idle", List.of("idle", "nice"))).isEqualTo("idle");

        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "-Dresh.test.tuning=4m is not a whole number from 0 to 100; using 7",
                "-Dresh.test.tuning=-1 is not a whole number from 0 to 100; using 7",
                "-Dresh.test.tuning=busy is not one of idle, nice; using idle");
    }
}
