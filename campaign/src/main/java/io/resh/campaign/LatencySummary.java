package io.resh.campaign;

import java.util.List;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * Percentiles of one latency (injection to detection, or detection to recovery) over a set of
 * injection records, from an HdrHistogram at microsecond resolution. Records without that latency
 * (-1: not detected, not recovered) are left out.
 *
 * @param count how many records had the latency
 * @param p50Millis median
 * @param p90Millis 90th percentile
 * @param p99Millis 99th percentile
 * @param maxMillis maximum
 */
record LatencySummary(long count, double p50Millis, double p90Millis, double p99Millis, double maxMillis) {

    static LatencySummary of(List<InjectionRecord> records, ToDoubleFunction<InjectionRecord> millis) {
        Histogram h = histogram(records, millis);
        if (h.getTotalCount() == 0) {
            return new LatencySummary(0, 0, 0, 0, 0);
        }
        return new LatencySummary(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()));
    }

    static Histogram histogram(List<InjectionRecord> records, ToDoubleFunction<InjectionRecord> millis) {
        Histogram h = new Histogram(3);
        for (InjectionRecord r : records) {
            double v = millis.applyAsDouble(r);
            if (v >= 0) {
                h.recordValue(Math.max(1, Math.round(v * 1000)));
            }
        }
        return h;
    }

    private static double ms(long micros) {
        return Math.round(micros / 100.0) / 10.0;
    }

    /** "212 / 298 / 340 ms (n=143)", or "-" when no record had it. */
    String format() {
        if (count == 0) {
            return "-";
        }
        return String.format(java.util.Locale.ROOT, "%.0f / %.0f / %.0f ms", p50Millis, p99Millis, maxMillis);
    }
}
