package io.resh.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class WilsonIntervalTest {

    @Test
    void shouldMatchPublishedValuesForHalf() {
        WilsonInterval w = WilsonInterval.of(5, 10);
        assertThat(w.lower()).isCloseTo(0.2366, within(1e-4));
        assertThat(w.upper()).isCloseTo(0.7634, within(1e-4));
        assertThat(w.proportion()).isEqualTo(0.5);
    }

    @Test
    void shouldBoundAZeroCountAwayFromZero() {
        WilsonInterval w = WilsonInterval.of(0, 10);
        assertThat(w.lower()).isZero();
        assertThat(w.upper()).isCloseTo(0.2775, within(1e-4));
    }

    @Test
    void shouldBoundAFullCountBelowOne() {
        WilsonInterval w = WilsonInterval.of(143, 143);
        assertThat(w.upper()).isEqualTo(1.0);
        assertThat(w.lower()).isCloseTo(0.9739, within(1e-4));
        assertThat(w.format()).isEqualTo("100.0% [97.4, 100.0]");
    }

    @Test
    void shouldSayNotApplicableWithoutTrials() {
        WilsonInterval w = WilsonInterval.of(0, 0);
        assertThat(w.format()).isEqualTo("n/a");
        assertThat(w.proportion()).isNaN();
    }

    @Test
    void shouldRefuseMoreSuccessesThanTrials() {
        assertThatThrownBy(() -> WilsonInterval.of(3, 2)).hasMessageContaining("3 of 2");
        assertThatThrownBy(() -> WilsonInterval.of(-1, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 200)
    void shouldAlwaysContainTheProportionInsideZeroAndOne(@ForAll @IntRange(min = 1, max = 100_000) int n,
                                                          @ForAll @IntRange(min = 0, max = 100_000) int k) {
        int successes = Math.min(k, n);
        WilsonInterval w = WilsonInterval.of(successes, n);
        assertThat(w.lower()).isBetween(0.0, w.proportion());
        assertThat(w.upper()).isBetween(w.proportion(), 1.0);
    }

    @Property(tries = 50)
    void shouldNarrowAsTrialsGrow(@ForAll @IntRange(min = 10, max = 10_000) int n) {
        WilsonInterval small = WilsonInterval.of(n / 2, n);
        WilsonInterval large = WilsonInterval.of(2L * (n / 2), 2L * n);
        assertThat(large.upper() - large.lower()).isLessThan(small.upper() - small.lower());
    }
}
