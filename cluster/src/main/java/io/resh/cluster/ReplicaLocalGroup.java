package io.resh.cluster;

import io.resh.client.ClientProtocol;
import io.resh.core.CompletionCause;
import io.resh.core.FailStopException;
import io.resh.host.Checkpoint;
import io.resh.host.ReplicaGroup;
import io.resh.host.ServiceErrorException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A host's local group of Java replicas: snapshots are its voted checkpoints. */
final class ReplicaLocalGroup implements LocalGroup {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaLocalGroup.class);

    private final ReplicaGroup group;

    ReplicaLocalGroup(ReplicaGroup group) {
        this.group = group;
    }

    ReplicaGroup group() {
        return group;
    }

    @Override
    public String refusal(byte[] request) {
        // The group would refuse it without a sequence number; refuse it here the same way on every host.
        int max = group.config().maxRequestBytes();
        return request.length > max ? "request of " + request.length + " bytes exceeds maxRequestBytes " + max : null;
    }

    @Override
    public CompletableFuture<ClusterReply> apply(byte[] request, long timeMillis, long seed) {
        return group.submit(request, timeMillis, seed)
                .handle((voted, error) -> error == null ? ClusterReply.ok(voted) : outcomeOf(error));
    }

    private static ClusterReply outcomeOf(Throwable error) {
        Throwable t = CompletionCause.of(error);
        if (t instanceof ServiceErrorException) {
            return ClusterReply.error(ClientProtocol.STATUS_SERVICE_ERROR, t.getMessage());
        }
        if (t instanceof FailStopException) {
            LOG.error("local group fail-stopped: {}", t.getMessage());
            return ClusterReply.error(ClientProtocol.STATUS_FAIL_STOP, t.getMessage());
        }
        if (t instanceof IllegalArgumentException) {
            return ClusterReply.error(ClientProtocol.STATUS_BAD_REQUEST, t.getMessage());
        }
        LOG.warn("local group did not answer: {}", t.toString());
        return ClusterReply.error(ClientProtocol.STATUS_UNAVAILABLE, String.valueOf(t.getMessage()));
    }

    @Override
    public boolean snapshots() {
        return true;
    }

    @Override
    public Checkpoint stableCheckpoint() {
        return group.stableCheckpoint();
    }

    @Override
    public void checkpointNow() {
        group.checkpointNow();
    }

    @Override
    public void close() {
        group.close();
    }
}
