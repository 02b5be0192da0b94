package io.resh.cluster;

import io.resh.gateway.protocol.Request;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A gateway client request as it travels through the Raft log: the framed bytes every server receives
 * and the flags the gateway needs to vote on and deliver the reply.
 *
 * <pre>
 * +-----------+---------+-----------+--------------+-------------+-----------------+
 * | version u8| flags u8| shape i32 | name len u16 | name UTF-8  | request bytes   |
 * +-----------+---------+-----------+--------------+-------------+-----------------+
 * flags: 1 = read-only, 2 = silent (no reply to the client), 4 = close the connection after the reply
 * </pre>
 */
record GatewayEntry(Request request) {
    static final byte VERSION = 1;
    private static final int READ_ONLY = 1;
    private static final int SILENT = 2;
    private static final int CLOSE_AFTER = 4;
    private static final int HEADER = 1 + 1 + 4 + 2;
    /** Longest name kept (it only labels logs and evidence). */
    private static final int MAX_NAME = 256;
    /** Bytes an entry adds to the framed request, at most. */
    static final int MAX_OVERHEAD = HEADER + MAX_NAME;

    byte[] encode() {
        byte[] name = request.name().getBytes(StandardCharsets.UTF_8);
        int nameLength = Math.min(name.length, MAX_NAME);
        int flags = (request.readOnly() ? READ_ONLY : 0) | (request.silent() ? SILENT : 0)
                | (request.closeAfter() ? CLOSE_AFTER : 0);
        return ByteBuffer.allocate(HEADER + nameLength + request.bytes().length).put(VERSION).put((byte) flags)
                .putInt(request.shape()).putShort((short) nameLength).put(name, 0, nameLength).put(request.bytes()).array();
    }

    /** @throws IllegalArgumentException naming what is wrong, for bytes that are not a gateway entry */
    static GatewayEntry decode(byte[] data) {
        if (data.length < HEADER) {
            throw new IllegalArgumentException("gateway request of " + data.length + " bytes, expected at least " + HEADER
                    + " (was it sent by a gateway of this cluster?)");
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        byte version = b.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("gateway request version " + version + ", this build reads " + VERSION);
        }
        int flags = b.get();
        if ((flags & ~(READ_ONLY | SILENT | CLOSE_AFTER)) != 0) {
            throw new IllegalArgumentException("gateway request with unknown flags 0x" + Integer.toHexString(flags & 0xff));
        }
        int shape = b.getInt();
        int nameLength = Short.toUnsignedInt(b.getShort());
        if (nameLength > b.remaining()) {
            throw new IllegalArgumentException("gateway request name of " + nameLength + " bytes, only " + b.remaining() + " left");
        }
        String name = new String(data, HEADER, nameLength, StandardCharsets.UTF_8);
        b.position(HEADER + nameLength);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new GatewayEntry(new Request(bytes, name, (flags & READ_ONLY) != 0, shape, (flags & SILENT) != 0,
                (flags & CLOSE_AFTER) != 0));
    }
}
