package io.resh.examples;

import io.resh.replica.ExecutionContext;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The context a host would give request {@code sequence}: time and randomness derived from the
 * sequence number, so every replica in a test sees the same values.
 */
public record FixedContext(long sequence, long timeMillis, long seed) implements ExecutionContext {

    /** 2024-01-01T00:00:00Z, so test timestamps are plausible and readable. */
    public static final long EPOCH_MILLIS = 1_704_067_200_000L;

    /** Request {@code sequence}, one second after request {@code sequence - 1}. */
    public static FixedContext at(long sequence) {
        return new FixedContext(sequence, EPOCH_MILLIS + sequence * 1000, sequence * 0x9E3779B97F4A7C15L);
    }

    @Override
    public RandomGenerator random() {
        return new SplittableRandom(seed);
    }

    @Override
    public int replicaIndex() {
        return 0;
    }
}
