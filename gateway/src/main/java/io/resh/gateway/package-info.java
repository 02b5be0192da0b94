/**
 * The resh gateway: transparent replication of unmodified network servers.
 *
 * <p>{@link io.resh.gateway.Gateway} starts N copies of a server (each its own process on its own
 * loopback port), listens for clients, sends every request to every replica, votes on the replies
 * and answers once f+1 replicas agree. A replica that crashes, hangs, closes its connection or
 * answers differently is killed, restarted and brought back in sync by replaying the log of
 * state-changing requests. {@link io.resh.gateway.GatewayConfig} is the validated configuration;
 * {@link io.resh.gateway.GatewayStatus} a point-in-time view for status commands.
 *
 * <p>Subpackages are internal: {@code protocol} frames requests and replies per wire protocol,
 * {@code server} supervises the replica processes, {@code ordered} multiplexes clients onto one
 * totally ordered backend connection per replica (TCP and UDP), {@code stream} relays
 * protocol-agnostic byte streams.
 */
package io.resh.gateway;
