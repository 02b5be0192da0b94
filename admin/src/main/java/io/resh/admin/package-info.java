/**
 * Observability and control of running replica groups: Prometheus metrics, the JSON-lines event log
 * with its live stream, the token-protected HTTP admin API, and the dashboard served from it.
 *
 * <p>{@link io.resh.admin.AdminServer#start} is the one entry point. Group events arrive on each group's
 * loop thread; this package never does work there: every event is handed to one admin thread, which
 * writes the log, updates the metrics and fans the event out to stream subscribers.
 *
 * <p>On a host of a resh cluster the server also answers {@code /api/cluster} through a
 * {@link io.resh.admin.ClusterMembership} the host hands in; this package does not depend on the cluster
 * module.
 */
package io.resh.admin;
