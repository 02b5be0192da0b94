package io.resh.replica;

import java.nio.ByteBuffer;
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
     * A buffer of {@code capacity} bytes for the reply, for a service that overrides {@link
     * ReplicatedService#execute(ByteBuffer, ExecutionContext)}: write the reply into it, flip it and return
     * this same buffer. Inside a replica, a buffer of at least 16 KiB is lent from the memory the replica
     * shares with the host, so the reply reaches the host without being copied; only the first such buffer
     * of a request is lent, and the loan ends when {@code execute} returns. Anywhere else, and whenever
     * nothing can be lent, it is a new heap buffer.
     *
     * @throws IllegalArgumentException if {@code capacity} is negative
     */
    default ByteBuffer replyBuffer(int capacity) {
        return ByteBuffer.allocate(capacity);
    }

    /**
     * The context the host would give request {@code sequence}, for calling a service outside a replica
     * (unit tests, benchmarks). {@link #random()} starts again from {@code seed} at every call, and the
     * replica index is 0.
     */
    static ExecutionContext of(long sequence, long timeMillis, long seed) {
        return new FixedExecutionContext(sequence, timeMillis, seed);
    }
}
