package io.resh.admin;

/**
 * One second of a group's traffic, for the dashboard charts.
 *
 * @param timeMillis end of the interval
 * @param group group name
 * @param repliesPerSecond voted replies per second (all traffic, from the group's counters)
 * @param metered voted replies timed in this interval (every one the group released)
 * @param p50Micros median vote latency of those, or -1 when none were timed
 * @param p99Micros 99th percentile, or -1
 * @param maxMicros slowest, or -1
 */
record Sample(long timeMillis, String group, double repliesPerSecond, long metered, long p50Micros, long p99Micros,
              long maxMicros) {
}
