/**
 * Supervision of the replica server processes: starting one (its own free loopback port, a fresh data
 * directory, output to a per-replica log file), probing readiness, killing it with its descendants,
 * and the group state machine that turns every detected fault into kill, restart, rebuild and rejoin.
 */
package io.resh.gateway.server;
