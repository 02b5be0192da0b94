/**
 * Framing of requests and replies, one {@link io.resh.gateway.protocol.Protocol} per wire protocol
 * (RESP, memcached text, newline-delimited, length-prefixed, HTTP/1.1, raw datagrams).
 *
 * <p>Framers are stateless functions over a {@code ByteBuf}: they look at the readable bytes and
 * either say "incomplete" or return one complete frame, so a request split at any byte boundary
 * decodes the same as one delivered whole. They also classify requests (read-only or not, unsafe to
 * replicate, reply shape) and canonicalize replies the protocol knows to be nondeterministic. No
 * framer allocates more than the frame it returns, and every length is checked against a limit
 * before anything is buffered for it.
 */
package io.resh.gateway.protocol;
