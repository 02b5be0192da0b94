package io.resh.replica;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** The runtime's {@link ExecutionContext}: one instance reused for every request (single thread). */
final class RequestContext implements ExecutionContext {
    private final int replicaIndex;
    private long sequence;
    private long timeMillis;
    private long seed;
    private SplittableRandom random;

    RequestContext(int replicaIndex) {
        this.replicaIndex = replicaIndex;
    }

    void reset(long sequence, long timeMillis, long seed) {
        this.sequence = sequence;
        this.timeMillis = timeMillis;
        this.seed = seed;
        this.random = null;
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
