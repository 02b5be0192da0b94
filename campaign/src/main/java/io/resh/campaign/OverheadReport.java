package io.resh.campaign;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Fault-free cost of replication, measured in the same run as the campaign with the same requests:
 * the service called directly in this process, one replica behind resh, and the campaign's N replicas.
 *
 * @param requests requests per measurement
 * @param replicas N of the campaign group
 * @param bare the service's {@code execute} called directly, no IPC, no voting
 * @param single a resh group of one replica (IPC and ordering, nothing to vote)
 * @param replicated the campaign's group of N replicas
 */
public record OverheadReport(int requests, int replicas, Measurement bare, Measurement single, Measurement replicated) {

    /**
     * One setup's figures.
     *
     * @param setup what was measured
     * @param p50Micros median latency of one request sent alone (closed loop, one outstanding)
     * @param p99Micros 99th percentile of the same
     * @param sequentialPerSecond requests per second with one outstanding
     * @param pipelinedPerSecond requests per second with 32 outstanding
     * @param wrongReplies replies that differed from the golden run (must be 0 without faults)
     */
    public record Measurement(String setup, double p50Micros, double p99Micros, double sequentialPerSecond,
                              double pipelinedPerSecond, int wrongReplies) {
    }

    /** Median latency of N replicas over one replica. */
    @JsonProperty
    public double latencyRatio() {
        return replicated.p50Micros() / single.p50Micros();
    }

    /** Pipelined throughput of one replica over N replicas (how many times slower N is). */
    @JsonProperty
    public double throughputRatio() {
        return single.pipelinedPerSecond() / replicated.pipelinedPerSecond();
    }
}
