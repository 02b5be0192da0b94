package io.resh.replica;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** {@link ExecutionContext#of}: fixed values, outside any replica. */
record FixedExecutionContext(long sequence, long timeMillis, long seed) implements ExecutionContext {

    @Override
    public RandomGenerator random() {
        return new SplittableRandom(seed);
    }

    @Override
    public int replicaIndex() {
        return 0;
    }
}
