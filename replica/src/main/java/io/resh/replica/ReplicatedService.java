package io.resh.replica;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * A service that resh runs as N replicas and votes on. Implement it once; resh does the rest.
 *
 * <h2>Threading</h2>
 * Its methods are called from one thread, one call at a time, in the total order the host
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

    /**
     * Executes one request held in a buffer. This is what a replica calls; the default copies the request
     * into an array where it is not one already, calls {@link #execute(byte[], ExecutionContext)} and wraps
     * its reply. Override it to serve large bodies without copying them: a request of 16 KiB or more is then
     * usually a read-only view of memory the replica shares with the host, valid only until this method returns
     * (else, as every smaller request, a buffer over the array the pipe delivered), and
     * {@link ExecutionContext#replyBuffer} lends a buffer in that memory for the reply. Both methods must
     * give the same replies (tests, benchmarks and fault campaigns call either).
     *
     * @param request the request's bytes between its position and limit (never null, may be empty)
     * @param ctx sequence number, time and randomness chosen by the host for this request
     * @return the reply bytes between the returned buffer's position and limit (null is treated as empty)
     */
    default ByteBuffer execute(ByteBuffer request, ExecutionContext ctx) throws Exception {
        byte[] bytes;
        if (request.hasArray() && request.arrayOffset() == 0 && request.position() == 0
                && request.remaining() == request.array().length) {
            bytes = request.array();
        } else {
            bytes = new byte[request.remaining()];
            request.get(bytes);
        }
        byte[] reply = execute(bytes, ctx);
        return reply == null ? null : ByteBuffer.wrap(reply);
    }

    /** Writes the whole state, canonically. Called between requests; do not close {@code out}. */
    void snapshot(OutputStream out) throws IOException;

    /** Replaces the whole state with a snapshot; called before any request on a recovering replica. */
    void restore(InputStream in) throws IOException;
}
