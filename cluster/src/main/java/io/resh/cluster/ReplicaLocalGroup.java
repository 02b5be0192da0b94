package io.resh.cluster;

import io.resh.client.ClientProtocol;
import io.resh.core.CompletionCause;
import io.resh.core.config.GroupConfig;
import io.resh.core.config.ReplicaSpec;
import io.resh.host.Checkpoint;
import io.resh.host.ReplicaGroup;
import io.resh.host.net.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
    public String settings() {
        GroupConfig c = group.config();
        List<String> services = c.versions().stream().map(ReplicaSpec::serviceClass).toList();
        // Versions in order: replica i runs version i mod n, so the same classes in another order differ too.
        return (services.stream().distinct().count() == 1 ? "service " + services.get(0) : "versions " + services)
                + ", " + c.replicas() + " replicas, maxRequestBytes " + c.maxRequestBytes();
    }

    @Override
    public CompletableFuture<ClusterReply> apply(byte[] request, long timeMillis, long seed) {
        return group.submit(request, timeMillis, seed)
                .handle((voted, error) -> error == null ? ClusterReply.ok(voted) : outcomeOf(error));
    }

    /** The same status a client of a single host's front door would get for this failure. */
    private static ClusterReply outcomeOf(Throwable error) {
        Reply r = Reply.failure(error);
        if (r.status() == ClientProtocol.STATUS_FAIL_STOP) {
            LOG.error("local group fail-stopped: {}", new String(r.payload(), StandardCharsets.UTF_8));
        } else if (r.status() == ClientProtocol.STATUS_UNAVAILABLE || r.status() == ClientProtocol.STATUS_OUTCOME_UNKNOWN) {
            LOG.warn("local group did not answer: {}", CompletionCause.of(error).toString());
        }
        return new ClusterReply(r.status(), r.payload());
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
