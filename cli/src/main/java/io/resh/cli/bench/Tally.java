package io.resh.cli.bench;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What one target did over one or more measured windows: requests, errors, elapsed time, CPU time and
 * the latency histogram (nanoseconds). Mutable; {@link #summary} freezes it into a {@link Measurement}.
 */
final class Tally {
    /** How the histogram's values were corrected for coordinated omission. */
    enum Correction {
        /** Open loop: every latency runs from the moment the request was due, so stalls are counted. */
        INTENDED_START("intended start (open loop)"),
        /** Closed loop: HdrHistogram back-fills the requests a stall kept each outstanding slot from sending. */
        EXPECTED_INTERVAL("expected interval (closed loop)");

        final String text;

        Correction(String text) {
            this.text = text;
        }
    }

    final String label;
    final Histogram latency = new Histogram(3_600_000_000_000L, 3);
    /**
     * Closed loop only: each request's own latency, before the correction. Side by side with {@link #latency}
     * it tells a few long stalls (a large correction) from slow requests.
     */
    final Histogram uncorrected = new Histogram(3_600_000_000_000L, 3);
    final List<Double> roundThroughputs = new ArrayList<>();
    Correction correction = Correction.INTENDED_START;
    long requests;
    long errors;
    long nanos;
    long hostCpuNanos;
    long replicaCpuNanos;
    boolean cpuMeasured;
    String firstError;

    Tally(String label) {
        this.label = label;
    }

    void add(Tally round) {
        latency.add(round.latency);
        uncorrected.add(round.uncorrected);
        correction = round.correction;
        requests += round.requests;
        errors += round.errors;
        nanos += round.nanos;
        hostCpuNanos += round.hostCpuNanos;
        replicaCpuNanos += round.replicaCpuNanos;
        cpuMeasured |= round.cpuMeasured;
        if (firstError == null) {
            firstError = round.firstError;
        }
        roundThroughputs.add(round.throughput());
    }

    double throughput() {
        return nanos == 0 ? 0 : requests * 1e9 / nanos;
    }

    Measurement summary() {
        Double cpu = cpuMeasured && requests > 0 ? (hostCpuNanos + replicaCpuNanos) / 1e3 / requests : null;
        Double host = cpuMeasured && requests > 0 ? hostCpuNanos / 1e3 / requests : null;
        List<Double> rounds = roundThroughputs.isEmpty() ? List.of(throughput()) : List.copyOf(roundThroughputs);
        return new Measurement(label, requests, errors, nanos / 1e9, throughput(), cpu, host,
                Measurement.Latency.of(latency, correction.text), rounds, firstError);
    }
}
