package io.resh.cluster;

import io.resh.client.ClientProtocol;
import io.resh.core.CompletionCause;
import io.resh.gateway.Gateway;
import io.resh.gateway.GatewayConfig;
import io.resh.host.Checkpoint;
import java.util.concurrent.CompletableFuture;

/**
 * A host's local group of unmodified servers behind an ordered-mode gateway. Without {@code checkpoint:} resh takes
 * no Raft snapshot of such servers, so a cluster of gateways keeps its whole Raft log: a host that restarts or joins
 * replays it into fresh servers. With it, a Raft snapshot is a checkpoint of the servers' files that the state
 * machine asks the gateway for ({@link ClusterStateMachine}, {@link GatewaySnapshot}).
 *
 * <p>A gateway with {@code checkpoint:} also checkpoints its own servers and cuts its own replay log, which only
 * ever rebuilds its own failed servers. That is sound because of how entries reach it: Ratis's one applier thread
 * calls {@link #apply} in log order, which queues each entry on the gateway's event loop, so the multiplexer
 * sequences them in log order; a checkpoint's digest and save are sequenced on that loop within the task of the
 * committed entry that made it due, so every server in the vote gets them between the same two entries, and being
 * read-only and never logged they change no state and are never replayed.
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
        // Whether there is a checkpoint: section, not its every: a host without one cannot start from a snapshot the
        // others took, and a leader with one purges the log such a host would need.
        return c.listen().protocol() + " servers in " + c.listen().mode().name().toLowerCase(java.util.Locale.ROOT)
                + " mode, " + c.replicas() + " replicas, maxFrameBytes " + c.maxFrameBytes()
                + (c.checkpoint() != null ? ", Raft snapshots of checkpoint.files" : "");
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

    /** With {@code checkpoint:} a Raft snapshot is a checkpoint of the servers' files, taken by the state machine. */
    @Override
    public boolean snapshots() {
        return gateway.config().checkpoint() != null;
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
