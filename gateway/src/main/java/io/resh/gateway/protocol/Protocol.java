package io.resh.gateway.protocol;

import io.netty.buffer.ByteBuf;

/**
 * How one wire protocol is framed, classified and compared. Implementations are stateless and
 * thread-safe; one instance serves every connection.
 */
public interface Protocol {

    /** The config name: {@code resp}, {@code memcached}, {@code line}, {@code length}, {@code http} or {@code raw}. */
    String name();

    /**
     * Decodes the next client request starting at {@code in.readerIndex()}.
     *
     * @return a {@link Request} or a {@link LocalReply} after consuming its bytes, or null if the request is not
     *     complete yet (consuming nothing of it; bytes no request needs, like the blank lines HTTP allows before a
     *     request line, may be skipped)
     * @throws FrameException if the bytes are malformed or the request exceeds {@code maxFrameBytes};
     *     the connection cannot be resynchronized after that
     */
    Object decodeRequest(ByteBuf in, int maxFrameBytes);

    /**
     * Measures the complete reply to {@code request} starting at {@code in.readerIndex()}, without
     * consuming anything.
     *
     * @return its length in bytes, or -1 if it is not complete yet
     * @throws FrameException if the bytes are malformed or longer than {@code maxReplyBytes}
     */
    int replyLength(ByteBuf in, Request request, int maxReplyBytes);

    /** An error reply in this protocol's own format; {@code message} is one line of plain text. */
    byte[] errorReply(String message);

    /**
     * The error reply to a request the client got wrong (malformed, too large, not finished within frameTimeout),
     * where the protocol tells the client's errors from the server's; {@link #errorReply} otherwise.
     */
    default byte[] badRequestReply(String message) {
        return errorReply(message);
    }

    /**
     * The form of {@code reply} that is compared across replicas. The default compares bytes as they
     * are; protocols override it for nondeterminism they know about (an HTTP {@code Date} header, the
     * element order of a Redis set).
     */
    default byte[] canonicalize(Request request, byte[] reply) {
        return reply;
    }

    /**
     * True if replicas may legitimately answer this request differently (a remaining time to live):
     * a dissenting reply is then not taken as a fault. An undecidable vote still yields an error.
     */
    default boolean tolerant(Request request) {
        return false;
    }

    /**
     * True if the server ends the connection after {@code reply} (an HTTP {@code Connection: close}, or an
     * HTTP/1.0 response without keep-alive): it never reads the requests pipelined behind that one, so they
     * are owed, not lost, and go again on a new connection.
     */
    default boolean closesConnection(Request request, byte[] reply) {
        return false;
    }

    /** Whether {@link #closesConnection} can ever be true: only then must a link keep what it has not been answered. */
    default boolean mayCloseAfterReply() {
        return false;
    }

    /** The voted reply as the client should get it (e.g. with {@code Connection: close} added). */
    default byte[] toClient(Request request, byte[] reply) {
        return reply;
    }

    /**
     * True if every reply to {@code request} is compared and sent to the client exactly as the server wrote
     * it: {@link #canonicalize} and {@link #toClient} return it unchanged and {@link #closesConnection} is
     * false. Only then may a large reply be voted on in the buffer it was read into instead of being copied.
     */
    default boolean verbatim(Request request) {
        return false;
    }

    /** The protocol with the given config name. */
    static Protocol named(String name) {
        return switch (name) {
            case "resp" -> new RespProtocol(System::currentTimeMillis);
            case "memcached" -> new MemcachedProtocol(System::currentTimeMillis);
            case "line" -> new LineProtocol();
            case "length" -> new LengthProtocol();
            case "http" -> new HttpProtocol();
            case "raw" -> new DatagramProtocol();
            default -> throw new IllegalArgumentException("unknown protocol '" + name + "'");
        };
    }
}
