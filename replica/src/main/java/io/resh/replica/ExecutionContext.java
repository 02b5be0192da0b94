package io.resh.replica;

import java.util.random.RandomGenerator;

/**
 * Everything about a request that would otherwise be nondeterministic, chosen once by the host and
 * given identically to every replica.
 */
public interface ExecutionContext {

    /** The request's position in the group's total order, starting at 1. */
    long sequence();

    /** Wall-clock time in epoch milliseconds as read once by the host for this request. */
    long timeMillis();

    /**
     * A random source seeded by the host for this request: every replica draws the same numbers.
     * Not for cryptographic keys that must stay secret from the host.
     */
    RandomGenerator random();

    /**
     * This replica's slot index. For logging only: a reply that depends on it diverges by design.
     */
    int replicaIndex();

    /**
     * The context the host would give request {@code sequence}, for calling a service outside a replica
     * (unit tests, benchmarks). {@link #random()} starts again from {@code seed} at every call, and the
     * replica index is 0.
     */
    static ExecutionContext of(long sequence, long timeMillis, long seed) {
        return new FixedExecutionContext(sequence, timeMillis, seed);
    }
}
