/**
 * A replicated key-value store: the stateful example. {@link io.resh.examples.kv.KvStore} is the
 * service, {@link io.resh.examples.kv.KvRequests} defines its binary protocol and builds requests,
 * {@link io.resh.examples.kv.KvReply} is a decoded reply.
 *
 * <p>It shows the three rules a replicated service lives by: replies depend only on the state and the
 * request (modification times come from the host's {@link io.resh.replica.ExecutionContext}, never
 * from the local clock); the snapshot is canonical (entries in key order) so replicas can compare
 * digests; and a corrupt snapshot is refused with a precise reason instead of being half-applied.
 */
package io.resh.examples.kv;
