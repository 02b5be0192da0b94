package io.resh.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StolenTimeTest {
    @Test
    void shouldTakeTheStealColumnAgainstTheSumOfTheFirstEight() {
        long[] before = StolenTime.parse("cpu  100 0 50 800 10 0 5 35 0 0");
        long[] after = StolenTime.parse("cpu  400 0 150 1100 10 0 5 335 0 0");
        assertThat(before).containsExactly(1000, 35);
        // 1,000 ticks passed, 300 of them stolen
        assertThat(StolenTime.percent(before, after)).isEqualTo(30.0);
    }

    @Test
    void shouldSayUnknownWithoutAStealColumnOrWithoutTimePassing() {
        assertThat(StolenTime.parse("cpu  100 0 50 800")).isNull();
        assertThat(StolenTime.parse("intr 5 6 7 8 9 10 11 12 13")).isNull();
        long[] same = StolenTime.parse("cpu  1 2 3 4 5 6 7 8");
        assertThat(StolenTime.percent(same, same)).isEqualTo(-1);
        assertThat(StolenTime.percent(null, same)).isEqualTo(-1);
    }
}
