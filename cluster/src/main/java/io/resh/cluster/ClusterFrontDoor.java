package io.resh.cluster;

import io.resh.host.net.Reply;
import io.resh.host.net.ReshServer;
import java.util.concurrent.CompletableFuture;

/**
 * A cluster host's TCP front door: speaks {@link io.resh.client.ClientProtocol} (so {@code ReshClient}
 * works unchanged) and puts every request through the Raft log. A request may be wrapped in an
 * {@link Envelope} for exactly-once retries. On a follower the request is forwarded to the leader; a request
 * not committed within the timeout (no leader, say) gets {@code STATUS_OUTCOME_UNKNOWN}: it may still be
 * committed, so only an enveloped retry is safe.
 *
 * <p>The requests of one socket read are submitted one by one: each carries its own Ratis client and
 * call id for the retry cache, so they can't share one log entry, and Ratis already writes and syncs
 * the entries that reach it together as one batch.
 */
final class ClusterFrontDoor implements AutoCloseable {
    private final ClusterNode node;
    private final ReshServer server;

    private ClusterFrontDoor(ClusterNode node, String host, int port, ClusterNode.RequestLimit limit) {
        this.node = node;
        this.server = ReshServer.serve(this::submit, maxRequestBytes(limit), limitSetting(limit), host, port);
    }

    /** The largest request this door takes: the group's own, in the largest envelope. */
    static int maxRequestBytes(ClusterNode.RequestLimit limit) {
        return limit.bytes() + Envelope.HEADER;
    }

    /**
     * The setting's own value and what the cluster adds to it: a gateway host's "limit of 1048872 bytes
     * (maxRequestBytes)" named a field its configuration does not have, and a number no setting says.
     */
    static String limitSetting(ClusterNode.RequestLimit limit) {
        return limit.setting() + " " + limit.settingValue() + " plus " + (maxRequestBytes(limit) - limit.settingValue())
                + " bytes of the cluster's framing";
    }

    static ClusterFrontDoor start(ClusterNode node, String host, int port, ClusterNode.RequestLimit limit) {
        return new ClusterFrontDoor(node, host, port, limit);
    }

    private CompletableFuture<Reply> submit(byte[] frame) {
        Envelope env = Envelope.decode(frame);
        CompletableFuture<ClusterReply> outcome = env == null ? node.submit(null, 0, frame, false)
                : node.submit(env.client(), env.call(), env.payload(), env.forwarded());
        return outcome.thenApply(r -> new Reply(r.status(), r.payload()));
    }

    int port() {
        return server.port();
    }

    String host() {
        return server.host();
    }

    @Override
    public void close() {
        server.close();
    }
}
