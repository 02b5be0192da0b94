package io.resh.gateway.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StallFreeClockTest {
    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void shouldRunWithTheMonotonicClockWhileTicksComeOnTime() {
        StallFreeClock clock = new StallFreeClock(ms(500));
        assertThat(clock.tick(ms(1_000))).isEqualTo(ms(1_000));
        assertThat(clock.tick(ms(1_500))).isEqualTo(ms(1_500));
        assertThat(clock.tick(ms(2_090))).as("late by less than a stall").isEqualTo(ms(2_090));
    }

    @Test
    void shouldLeaveOutWhatAStallAddedBeyondOnePeriod() {
        StallFreeClock clock = new StallFreeClock(ms(500));
        clock.tick(ms(1_000));
        assertThat(clock.tick(ms(6_500))).as("5.5 s later: 5 s stalled").isEqualTo(ms(1_500));
        assertThat(clock.tick(ms(7_000))).isEqualTo(ms(2_000));
    }
}
