package io.resh.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private final StringWriter text = new StringWriter();
    private final AtomicLong clock = new AtomicLong();

    private ProgressBar bar(boolean interactive, int total) {
        return new ProgressBar(new PrintWriter(text, true), interactive, total, "aes N=3", clock::get);
    }

    @Test
    void shouldPrintOnePlainLinePerTenthWhenNotATerminal() {
        ProgressBar bar = bar(false, 100);
        for (int i = 0; i <= 100; i++) {
            clock.addAndGet(1_000_000);
            bar.update(i, "sdc 0");
        }
        bar.finish();
        assertThat(text.toString()).doesNotContain("\r");
        assertThat(text.toString().lines()).hasSize(11);
        assertThat(text.toString().lines().reduce((a, b) -> b).orElseThrow()).contains("100/100 100%").contains("sdc 0");
    }

    /** Of 1,000,000 injections the first tenth takes hours, and a log showed nothing after "0/1000000" all that time. */
    @Test
    void shouldPrintAPlainLineAtLeastEveryMinuteOfALongTenth() {
        ProgressBar bar = bar(false, 1_000_000);
        bar.update(0, "");
        for (int i = 1; i <= 300; i++) {
            clock.addAndGet(500_000_000L); // half a second per injection: 150 s in all
            bar.update(i, "sdc 0");
        }
        assertThat(text.toString().lines()).hasSize(3);
        assertThat(text.toString().lines().skip(1)).allSatisfy(l -> assertThat(l).contains("/1000000   0%"));
        assertThat(text.toString().lines().reduce((a, b) -> b).orElseThrow()).contains(" 240/1000000 ");
    }

    @Test
    void shouldRedrawOneLineOnATerminalAtMostTenTimesASecond() {
        ProgressBar bar = bar(true, 1000);
        for (int i = 1; i <= 1000; i++) {
            clock.addAndGet(1_000_000); // 1 ms per step: one second in all
            bar.update(i, "");
        }
        bar.finish();
        String out = text.toString();
        long redraws = out.chars().filter(c -> c == '\r').count();
        assertThat(redraws).isBetween(10L, 12L);
        assertThat(out.chars().filter(c -> c == '\n')).hasSize(1);
        assertThat(out).contains("1000/1000 100%");
    }

    @Test
    void shouldPadOverALongerPreviousLine() {
        ProgressBar bar = bar(true, 10);
        bar.update(1, "a very long status that will not be repeated");
        clock.addAndGet(1_000_000_000);
        bar.update(2, "");
        String[] lines = text.toString().split("\r");
        assertThat(lines).hasSize(3); // "", the first line, the second
        assertThat(lines[2]).endsWith(" ").hasSameSizeAs(lines[1]);
    }

    /** The time before the first injection (the group's start, the overhead measurement) is not injection time. */
    @Test
    void shouldEstimateTheRemainingTimeFromTheFirstUpdateOn() {
        ProgressBar bar = bar(false, 30);
        clock.addAndGet(20_000_000_000L); // the group starts and the overhead is measured
        bar.update(0, "");
        clock.addAndGet(3_000_000_000L);
        bar.update(3, "");
        assertThat(text.toString().lines().reduce((a, b) -> b).orElseThrow()).contains("3/30  10%  elapsed 23 s  eta 27 s");
    }

    @Test
    void shouldEstimateTheRemainingTimeFromTheRateSoFar() {
        ProgressBar bar = bar(false, 10);
        String line = bar.line(5, 10_000_000_000L, "x");
        assertThat(line).contains("[###############...............]").contains("5/10  50%").contains("elapsed 10 s")
                .contains("eta 10 s").endsWith("  x");
        assertThat(bar.line(0, 0, "")).contains("eta ?");
    }
}
