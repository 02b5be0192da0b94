package io.resh.host;

/**
 * Sees every voted reply of a group as it is released to its client, whichever way the request came in
 * ({@link ReplicaGroup#submit}, the TCP front door, a cluster): the hook for latency metrics.
 *
 * <p>Called on the group's loop thread, once per released reply, before the client's future completes.
 * It must not block and should not allocate: it runs on the voting path. A listener that throws is
 * removed (it would otherwise throw on every reply).
 */
@FunctionalInterface
public interface ReplyListener {
    /**
     * @param sequence the request's sequence number
     * @param latencyNanos from the moment the group ordered the request to the release of its voted reply
     * @param ok true for a reply, false for a voted service error (f+1 replicas agreed the service threw)
     */
    void onReply(long sequence, long latencyNanos, boolean ok);
}
