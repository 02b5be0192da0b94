package io.resh.cluster;

import java.nio.ByteBuffer;

/**
 * One Raft log entry's data: a client request with the time and seed the leader chose when it
 * accepted it, so every host's replicas execute it in the same {@code ExecutionContext}.
 *
 * <pre>
 * +-----------+----------------+-----------+------------------+
 * | version u8| timeMillis u64 | seed u64  | request payload  |
 * +-----------+----------------+-----------+------------------+
 * </pre>
 */
record ClusterEntry(long timeMillis, long seed, byte[] payload) {
    static final byte VERSION = 1;
    static final int HEADER = 1 + 8 + 8;

    byte[] encode() {
        return ByteBuffer.allocate(HEADER + payload.length).put(VERSION).putLong(timeMillis).putLong(seed)
                .put(payload).array();
    }

    static ClusterEntry decode(ByteBuffer data) {
        if (data.remaining() < HEADER) {
            throw new IllegalArgumentException("cluster log entry of " + data.remaining() + " bytes, expected at least "
                    + HEADER);
        }
        byte version = data.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("cluster log entry version " + version + ", this build reads " + VERSION);
        }
        long time = data.getLong();
        long seed = data.getLong();
        byte[] payload = new byte[data.remaining()];
        data.get(payload);
        return new ClusterEntry(time, seed, payload);
    }
}
