/**
 * The scenarios behind {@code resh bench}: each starts the services it compares, measures a baseline
 * and a candidate alternately in the same run (so drift of a shared machine hits both), and reports
 * throughput, CPU time per request and HdrHistogram latency percentiles corrected for coordinated
 * omission, with the ratio against each target.
 *
 * <p>Drivers: {@code ClosedLoop} keeps a fixed number of requests outstanding (peak throughput, lone
 * request latency); {@code OpenLoop} sends at a fixed rate and measures every request from the moment
 * it was due (latency at a given load). Targets: the service in-process, a replica group through its
 * {@code submit} API, and a group behind its TCP front door.
 */
package io.resh.cli.bench;
