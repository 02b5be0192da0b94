package io.resh.gateway.protocol;

/**
 * One framed client request, as it will be sent to every replica.
 *
 * @param bytes the exact bytes every replica receives (possibly rewritten from what the client sent,
 *     e.g. a relative expiry stamped as absolute time)
 * @param name a short human name for logs and evidence, e.g. {@code SET} or {@code POST /items}
 * @param readOnly true if the protocol knows the request does not change server state, so it can be
 *     left out of the replay log
 * @param shape protocol-specific hint for framing and comparing the reply (see each protocol)
 * @param silent the client asked for no reply (memcached {@code noreply}): the reply is voted but not sent
 * @param closeAfter close the client connection after this reply (HTTP {@code Connection: close})
 */
public record Request(byte[] bytes, String name, boolean readOnly, int shape, boolean silent, boolean closeAfter) {

    /** A request with default flags. */
    public static Request of(byte[] bytes, String name, boolean readOnly, int shape) {
        return new Request(bytes, name, readOnly, shape, false, false);
    }
}
