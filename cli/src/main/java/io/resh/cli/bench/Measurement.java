package io.resh.cli.bench;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * One target's result in a report.
 *
 * @param label the target, e.g. {@code N=3 submit}
 * @param requests requests answered (errors included)
 * @param errors requests that completed with an error
 * @param seconds measured time, summed over rounds
 * @param throughput requests per second over the measured time
 * @param cpuMicrosPerRequest CPU time of this JVM and the target's processes per request, or null
 * @param hostCpuMicrosPerRequest the part of it spent in this JVM (host, front door, driver), or null
 * @param latency latency percentiles
 * @param roundThroughputs throughput of each round, in order
 * @param firstError the first error a client saw, or null
 */
public record Measurement(String label, long requests, long errors, double seconds, double throughput,
                          Double cpuMicrosPerRequest, Double hostCpuMicrosPerRequest, Latency latency,
                          List<Double> roundThroughputs, String firstError) {

    /**
     * Latency percentiles in microseconds.
     *
     * @param correction how coordinated omission was corrected
     * @param samples values in the histogram (after correction)
     * @param p90 null where the tool that measured does not report it (likewise the others)
     */
    public record Latency(String correction, long samples, Double p50, Double p90, Double p99, Double p999,
                          Double max) {
        static Latency of(Histogram h, String correction) {
            if (h.getTotalCount() == 0) {
                return new Latency(correction, 0, 0.0, 0.0, 0.0, 0.0, 0.0);
            }
            return new Latency(correction, h.getTotalCount(), micros(h.getValueAtPercentile(50)),
                    micros(h.getValueAtPercentile(90)), micros(h.getValueAtPercentile(99)),
                    micros(h.getValueAtPercentile(99.9)), micros(h.getMaxValue()));
        }

        private static Double micros(long nanos) {
            return Math.round(nanos / 100.0) / 10.0;
        }
    }
}
