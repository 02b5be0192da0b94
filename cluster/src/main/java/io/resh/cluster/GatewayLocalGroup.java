package io.resh.cluster;

import io.resh.client.ClientProtocol;
import io.resh.core.CompletionCause;
import io.resh.gateway.Gateway;
import io.resh.gateway.GatewayConfig;
import io.resh.host.Checkpoint;
import java.util.concurrent.CompletableFuture;

/**
 * A host's local group of unmodified servers behind an ordered-mode gateway. resh cannot snapshot
 * such servers, so a cluster of gateways keeps its whole Raft log: a host that restarts or joins
 * replays it into fresh servers.
 */
final class GatewayLocalGroup implements LocalGroup {
    private final Gateway gateway;

    GatewayLocalGroup(Gateway gateway) {
        this.gateway = gateway;
    }

    Gateway gateway() {
        return gateway;
    }

    @Override
    public String refusal(byte[] request) {
        try {
            GatewayEntry.decode(request);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @Override
    public String settings() {
        // Not the server command: its program's path may differ from host to host and still run the same server.
        GatewayConfig c = gateway.config();
        return c.listen().protocol() + " servers in " + c.listen().mode().name().toLowerCase(java.util.Locale.ROOT)
                + " mode, " + c.replicas() + " replicas, maxFrameBytes " + c.maxFrameBytes();
    }

    @Override
    public CompletableFuture<ClusterReply> apply(byte[] request, long timeMillis, long seed) {
        // Servers read their own clocks; the leader's time and seed have no way in. Requests that depend
        // on the time are made absolute by the gateway that framed them, before they enter the log.
        return gateway.execute(GatewayEntry.decode(request).request()).handle((reply, error) -> {
            if (error == null) {
                return ClusterReply.ok(reply);
            }
            Throwable t = CompletionCause.of(error);
            return ClusterReply.error(ClientProtocol.STATUS_UNAVAILABLE, String.valueOf(t.getMessage()));
        });
    }

    @Override
    public boolean snapshots() {
        return false;
    }

    @Override
    public Checkpoint stableCheckpoint() {
        throw new UnsupportedOperationException("a gateway's unmodified servers have no checkpoints");
    }

    @Override
    public void checkpointNow() {
        throw new UnsupportedOperationException("a gateway's unmodified servers have no checkpoints");
    }

    @Override
    public void close() {
        gateway.close();
    }
}
