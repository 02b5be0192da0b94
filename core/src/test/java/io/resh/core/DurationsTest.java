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

    @Property
    void shouldRoundTripThroughFormat(@ForAll @LongRange(min = 1, max = 10_000_000) long ms) {
        Duration d = Duration.ofMillis(ms);
        assertThat(Durations.parse("f", Durations.format(d))).isEqualTo(d);
    }
}
