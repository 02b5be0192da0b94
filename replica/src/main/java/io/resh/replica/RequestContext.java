package io.resh.replica;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** The runtime's {@link ExecutionContext}: one instance reused for every request (single thread). */
final class RequestContext implements ExecutionContext {
    private final int replicaIndex;
    private long sequence;
    private long timeMillis;
    private long seed;
    private SplittableRandom random;

    /** The shared ring replies are lent from (null: none is mapped, every reply buffer is a heap buffer). */
    private final SharedBodies.Ring replies;
    /** The buffer lent for this request's reply, and where in the ring it starts (null: none lent yet). */
    private ByteBuffer lent;
    private long lentAt;

    RequestContext(int replicaIndex, SharedBodies.Ring replies) {
        this.replicaIndex = replicaIndex;
        this.replies = replies;
    }

    void reset(long sequence, long timeMillis, long seed) {
        this.sequence = sequence;
        this.timeMillis = timeMillis;
        this.seed = seed;
        this.random = null;
        this.lent = null;
    }

    @Override
    public ByteBuffer replyBuffer(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("a reply buffer cannot hold " + capacity + " bytes");
        }
        // One loan per request: a second buffer lent from the same place would alias the first.
        if (replies != null && lent == null && capacity >= SharedBodies.MIN_BODY_BYTES) {
            long at = replies.reserve(capacity);
            if (at >= 0) {
                lentAt = at;
                lent = replies.writable(at, capacity);
                return lent;
            }
        }
        return ByteBuffer.allocate(capacity);
    }

    /** Where in the reply ring {@code reply} lies, if it is the buffer lent for this request; else -1. */
    long lentPosition(ByteBuffer reply) {
        return reply != null && reply == lent ? lentAt + reply.position() : -1;
    }

    @Override
    public long sequence() {
        return sequence;
    }

    @Override
    public long timeMillis() {
        return timeMillis;
    }

    @Override
    public RandomGenerator random() {
        // Created lazily: most requests never draw a number, and creating one per request is not free.
        if (random == null) {
            random = new SplittableRandom(seed);
        }
        return random;
    }

    @Override
    public int replicaIndex() {
        return replicaIndex;
    }
}
