package io.resh.replica;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A service that resh runs as N replicas and votes on. Implement it once; resh does the rest.
 *
 * <h2>Threading</h2>
 * All three methods are called from one thread, one call at a time, in the total order the host
 * chose. The service needs no locks.
 *
 * <h2>Determinism — the one rule</h2>
 * Given the same state and the same request, {@link #execute} must return the same bytes in every
 * replica. Take time, randomness and the sequence number from the {@link ExecutionContext}, never from
 * {@code System.currentTimeMillis()}, {@code new Random()}, thread timing or iteration order of a
 * {@code HashMap} whose order depends on identity hash codes. A replica whose reply differs from the
 * majority is declared faulty and replaced.
 *
 * <h2>Errors</h2>
 * An exception thrown by {@code execute} is an answer too: it is voted (class and message) and sent to
 * the client as an error. It must therefore be deterministic as well.
 *
 * <h2>State</h2>
 * {@link #snapshot} writes the complete state that later requests depend on; {@link #restore} replaces
 * the state with a snapshot written by any replica of the same service. The state digest that replicas
 * compare at checkpoints is the SHA-256 of the snapshot bytes, so the snapshot must be canonical: the
 * same state always writes the same bytes (sort map entries, for instance).
 *
 * <p>An implementation needs a public no-argument constructor.
 */
public interface ReplicatedService {

    /**
     * Executes one request and returns the reply.
     *
     * @param request the client's request bytes (never null, may be empty)
     * @param ctx sequence number, time and randomness chosen by the host for this request
     * @return the reply bytes (null is treated as empty)
     */
    byte[] execute(byte[] request, ExecutionContext ctx) throws Exception;

    /** Writes the whole state, canonically. Called between requests; do not close {@code out}. */
    void snapshot(OutputStream out) throws IOException;

    /** Replaces the whole state with a snapshot; called before any request on a recovering replica. */
    void restore(InputStream in) throws IOException;
}
