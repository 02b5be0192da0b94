package io.resh.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void shouldParseEveryUnit() {
        assertThat(Durations.parse("f", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("f", "2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Durations.parse("f", "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("f", " 1h ")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void shouldNameTheFieldInTheError() {
        assertThatThrownBy(() -> Durations.parse("heartbeat.interval", "fast"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("heartbeat.interval: expected a duration like 250ms, 2s, 5m or 1h, got 'fast'");
    }

    /** Deadlines add a duration's nanoseconds to the clock: one that overflows there is refused when read. */
    @Test
    void shouldRefuseADurationTooLongToTimeWith() {
        assertThat(Durations.parse("f", "100000h")).isEqualTo(Durations.MAX);
        assertThat(Durations.MAX.toNanos()).as("room left on the clock").isLessThan(Long.MAX_VALUE / 10);
        assertThatThrownBy(() -> Durations.parse("--timeout", "100001h"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--timeout: expected at most 100000h (about 11 years), got '100001h'");
        assertThatThrownBy(() -> Durations.parse("deadline", "9999999999999h"))
                .hasMessage("deadline: expected at most 100000h (about 11 years), got '9999999999999h'");
        assertThatThrownBy(() -> Durations.parse("deadline", "99999999999999999999ms"))
                .as("more digits than a long holds")
                .hasMessage("deadline: expected at most 100000h (about 11 years), got '99999999999999999999ms'");
        assertThatThrownBy(() -> ConfigException.requirePositive("restart.window", Duration.ofDays(5000)))
                .as("a duration a builder was given")
                .hasMessage("restart.window: expected at most 100000h (about 11 years), got 5000 days");
    }

    @Property
    void shouldRoundTripThroughFormat(@ForAll @LongRange(min = 1, max = 10_000_000) long ms) {
        Duration d = Duration.ofMillis(ms);
        assertThat(Durations.parse("f", Durations.format(d))).isEqualTo(d);
    }
}
