package io.resh.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The length-prefixed protocol of resh's own front door, shared by {@link ReshClient} and the host's
 * server. Version 1, all integers big-endian:
 *
 * <pre>
 * request:  +----------------+------------------+----------------------+
 *           | length u32     | correlation u64  | payload              |
 *           +----------------+------------------+----------------------+
 *             length = 8 + payload bytes
 *
 * reply:    +----------------+------------------+-----------+----------------------------+
 *           | length u32     | correlation u64  | status u8 | payload, or UTF-8 message   |
 *           +----------------+------------------+-----------+----------------------------+
 *             length = 9 + payload bytes
 * </pre>
 *
 * Correlation ids are chosen by the client and echoed; replies may arrive in any order. A request
 * over the server's size limit or shorter than 8 bytes gets a {@link #STATUS_BAD_REQUEST} reply with
 * correlation id 0, and the connection is closed (the stream can't be trusted to be in sync).
 */
public final class ClientProtocol {
    /** The voted reply. */
    public static final byte STATUS_OK = 0;
    /** f+1 replicas agreed the service threw; the message is the service's. */
    public static final byte STATUS_SERVICE_ERROR = 1;
    /** The group stopped rather than answer unvoted (DMR mismatch after rollback, no majority). */
    public static final byte STATUS_FAIL_STOP = 2;
    /** The request was not run: the group is closed, not ready, or the host takes no requests. */
    public static final byte STATUS_UNAVAILABLE = 3;
    /** The request was malformed or too large; the connection is closed after this reply. */
    public static final byte STATUS_BAD_REQUEST = 4;
    /**
     * No outcome in time: the request may or may not have taken effect (no quorum of matching replies within the
     * group's timeout, not committed within a cluster's). Apart from {@link #STATUS_UNAVAILABLE} because a caller
     * handles it like a lost connection, not like a refusal: only a request safe to apply twice may be sent again.
     * Servers before this status answered these with {@link #STATUS_UNAVAILABLE}; a client that does not know it
     * sees "status 5" with the same message.
     */
    public static final byte STATUS_OUTCOME_UNKNOWN = 5;

    /** Bytes of the length field. */
    public static final int LENGTH_BYTES = 4;

    private ClientProtocol() {
    }

    public static ByteBuf encodeRequest(ByteBufAllocator alloc, long correlation, byte[] payload) {
        ByteBuf b = alloc.buffer(LENGTH_BYTES + 8 + payload.length);
        b.writeInt(8 + payload.length).writeLong(correlation).writeBytes(payload);
        return b;
    }

    public static ByteBuf encodeReply(ByteBufAllocator alloc, long correlation, byte status, byte[] payload) {
        ByteBuf b = alloc.buffer(LENGTH_BYTES + 9 + payload.length);
        b.writeInt(9 + payload.length).writeLong(correlation).writeByte(status).writeBytes(payload);
        return b;
    }

    /** Bytes a reply with a {@code payloadBytes}-byte payload takes on the wire, length field included. */
    public static int replyBytes(int payloadBytes) {
        return LENGTH_BYTES + 9 + payloadBytes;
    }

    /** Appends one reply to {@code out} (many replies may share one buffer and one write). */
    public static void writeReply(ByteBuf out, long correlation, byte status, byte[] payload) {
        out.writeInt(9 + payload.length).writeLong(correlation).writeByte(status).writeBytes(payload);
    }

    /** Appends one request to {@code out} (many requests may share one buffer and one write). */
    public static void writeRequest(ByteBuf out, long correlation, byte[] payload) {
        out.writeInt(8 + payload.length).writeLong(correlation).writeBytes(payload);
    }

    /** Bytes a request with a {@code payloadBytes}-byte payload takes on the wire, length field included. */
    public static int requestBytes(int payloadBytes) {
        return LENGTH_BYTES + 8 + payloadBytes;
    }

    /**
     * Whether a request that got {@code status} may be sent again with the same identity (a cluster's client id
     * and call number, which its retry cache applies once): it was not run, or its outcome is not known yet.
     */
    public static boolean retryableWithSameId(byte status) {
        return status == STATUS_UNAVAILABLE || status == STATUS_OUTCOME_UNKNOWN;
    }

    public static ByteBuf encodeError(ByteBufAllocator alloc, long correlation, byte status, String message) {
        return encodeReply(alloc, correlation, status, message.getBytes(StandardCharsets.UTF_8));
    }

    /** A readable name for a status byte. */
    public static String statusName(byte status) {
        return switch (status) {
            case STATUS_OK -> "ok";
            case STATUS_SERVICE_ERROR -> "service error";
            case STATUS_FAIL_STOP -> "fail-stop";
            case STATUS_UNAVAILABLE -> "unavailable";
            case STATUS_BAD_REQUEST -> "bad request";
            case STATUS_OUTCOME_UNKNOWN -> "outcome unknown";
            default -> "status " + status;
        };
    }
}
