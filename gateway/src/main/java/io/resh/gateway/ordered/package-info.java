/**
 * Ordered mode: every client's framed requests are put in one total order and multiplexed, pipelined,
 * onto one backend connection per replica (or one datagram socket per replica in UDP mode); replies
 * come back FIFO per replica, are voted per request and routed to their client in its own order.
 *
 * <p>Threading: the {@link io.resh.gateway.ordered.OrderedMultiplexer}, every client channel and
 * every backend channel of a gateway are registered on one event loop, so the multiplexer's state
 * needs no locks; nothing here blocks.
 */
package io.resh.gateway.ordered;
