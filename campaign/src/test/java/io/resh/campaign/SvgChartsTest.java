package io.resh.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SvgChartsTest {

    @Test
    void shouldRoundBinWidthsToOneTwoOrFiveTimesAPowerOfTen() {
        assertThat(SvgCharts.niceBin(0.7)).isEqualTo(1.0);
        assertThat(SvgCharts.niceBin(13)).isEqualTo(20.0);
        assertThat(SvgCharts.niceBin(41)).isEqualTo(50.0);
        assertThat(SvgCharts.niceBin(120)).isEqualTo(200.0);
    }

    @Test
    void shouldGatherTheSlowestPercentInOneOverflowBar() {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < 990; i++) {
            ms.add(200.0 + i % 100);
        }
        for (int i = 0; i < 10; i++) {
            ms.add(3000.0 + i);
        }
        String svg = SvgCharts.histogram(ms, "recovery");
        assertThat(svg).contains("&gt; ").contains("#c77c2e").contains("3009 ms: 10").contains("1000 injections");
    }

    @Test
    void shouldDrawOneSegmentPerOutcomePresent() {
        String svg = SvgCharts.outcomesByKind(CoverageTable.of(Records.mixed()));
        assertThat(svg).contains("crash: corrected 7 of 7 (100.0%)").contains("reply-corruption: sdc 1 of 3 (33.3%)")
                .contains("total: masked 2 of 13").doesNotContain("crash: masked");
    }

    @Test
    void shouldSaySoWhenThereIsNothingToPlot() {
        assertThat(SvgCharts.histogram(List.of(), "recovery")).contains("no data");
    }
}
