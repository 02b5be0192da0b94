package io.resh.cluster;

import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * The optional request prefix that makes a retried request idempotent: a client id and a call number
 * that the client keeps when it resends the same request to another host. The front door hands them to
 * Ratis as the request's {@code ClientId} and {@code callId}, so Ratis's retry cache applies the request
 * once and answers the retry with the first outcome.
 *
 * <pre>
 * +--------------------------+------------------+-------------+------------------+
 * | magic 8 (D2 52 45 53 48 43 01 ff) | client id 16 | call u64 | request payload  |
 * +--------------------------+------------------+-------------+------------------+
 * </pre>
 *
 * The last magic byte {@code ff} holds flags: 1 = forwarded by a follower to the leader (the leader then
 * does not forward it again, so requests can't bounce between hosts during an election).
 * A frame without the magic is a plain request: it gets a fresh id and so no deduplication.
 */
record Envelope(UUID client, long call, byte[] payload, boolean forwarded) {
    static final byte[] MAGIC = {(byte) 0xD2, 'R', 'E', 'S', 'H', 'C', 1, 0};
    static final int HEADER = MAGIC.length + 16 + 8;
    /** Flag in the last magic byte: a host forwarded this request to the leader; don't forward it again. */
    private static final byte FORWARDED = 1;

    Envelope(UUID client, long call, byte[] payload) {
        this(client, call, payload, false);
    }

    byte[] encode() {
        byte[] magic = MAGIC.clone();
        magic[MAGIC.length - 1] = forwarded ? FORWARDED : 0;
        return ByteBuffer.allocate(HEADER + payload.length).put(magic).putLong(client.getMostSignificantBits())
                .putLong(client.getLeastSignificantBits()).putLong(call).put(payload).array();
    }

    /** The envelope in {@code frame}, or null when the frame is a plain request. */
    static Envelope decode(byte[] frame) {
        if (frame.length < HEADER) {
            return null;
        }
        for (int i = 0; i < MAGIC.length - 1; i++) {
            if (frame[i] != MAGIC[i]) {
                return null;
            }
        }
        byte flags = frame[MAGIC.length - 1];
        if ((flags & ~FORWARDED) != 0) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(frame, MAGIC.length, frame.length - MAGIC.length);
        UUID client = new UUID(b.getLong(), b.getLong());
        long call = b.getLong();
        byte[] payload = new byte[b.remaining()];
        b.get(payload);
        return new Envelope(client, call, payload, flags == FORWARDED);
    }
}
