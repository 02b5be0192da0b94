package io.resh.examples;

import io.resh.replica.ExecutionContext;

/**
 * The context a host would give request {@code sequence} in a test: time and randomness derived from
 * the sequence number, so every replica in a test sees the same values.
 */
public final class FixedContext {

    /** 2024-01-01T00:00:00Z, so test timestamps are plausible and readable. */
    public static final long EPOCH_MILLIS = 1_704_067_200_000L;

    private FixedContext() {
    }

    /** Request {@code sequence}, one second after request {@code sequence - 1}. */
    public static ExecutionContext at(long sequence) {
        return ExecutionContext.of(sequence, EPOCH_MILLIS + sequence * 1000, sequence * 0x9E3779B97F4A7C15L);
    }
}
