package io.resh.gateway.protocol;

/**
 * A reply the gateway gives itself, without asking the replicas: the error for a command that cannot
 * be replicated safely, a malformed request, or a {@code QUIT}. It takes its place in the client's
 * reply order like any voted reply.
 *
 * @param bytes what the client receives
 * @param close close the client connection after writing it
 */
public record LocalReply(byte[] bytes, boolean close) {
}
