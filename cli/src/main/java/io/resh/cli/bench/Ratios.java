package io.resh.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** Named ratios of a section, candidate over baseline, in the order added. */
final class Ratios {
    private final Map<String, Double> values = new LinkedHashMap<>();

    /** Adds {@code candidate / baseline}; left out when undefined (a zero or missing baseline). */
    Ratios of(String name, double candidate, double baseline) {
        return put(name, candidate / baseline);
    }

    Ratios throughput(String name, Tally candidate, Tally baseline) {
        return of(name, candidate.throughput(), baseline.throughput());
    }

    Ratios cpu(String name, Tally candidate, Tally baseline) {
        return put(name, cpuRatio(candidate, baseline));
    }

    Ratios latency(String name, double percentile, Tally candidate, Tally baseline) {
        return of(name, candidate.latency.getValueAtPercentile(percentile), baseline.latency.getValueAtPercentile(percentile));
    }

    /** A named value that is not a ratio but belongs with them (e.g. the slowest rejoin). */
    Ratios put(String name, double value) {
        if (Double.isFinite(value)) {
            values.put(name, Math.round(value * 1000) / 1000.0);
        }
        return this;
    }

    Map<String, Double> toMap() {
        return values;
    }

    /** CPU time per request of {@code candidate} over {@code baseline}; NaN if either was not measured. */
    static double cpuRatio(Tally candidate, Tally baseline) {
        if (!candidate.cpuMeasured || !baseline.cpuMeasured || candidate.requests == 0 || baseline.requests == 0) {
            return Double.NaN;
        }
        double c = (candidate.hostCpuNanos + candidate.replicaCpuNanos) / (double) candidate.requests;
        double b = (baseline.hostCpuNanos + baseline.replicaCpuNanos) / (double) baseline.requests;
        return c / b;
    }

    /** The latency percentile of {@code t} in microseconds. */
    static double micros(Tally t, double percentile) {
        return t.latency.getValueAtPercentile(percentile) / 1e3;
    }
}
