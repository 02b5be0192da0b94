package io.resh.cluster;

import io.resh.host.Checkpoint;
import java.util.concurrent.CompletableFuture;

/**
 * What a cluster host's state machine applies committed entries to: the host's own voted group,
 * either Java replicas ({@link ReplicaLocalGroup}) or unmodified servers behind a gateway
 * ({@link GatewayLocalGroup}). Entries arrive in log order from one thread.
 */
interface LocalGroup extends AutoCloseable {

    /**
     * Why this host refuses the request without executing it (every host refuses it alike, and it
     * takes no sequence number), or null to execute it.
     */
    String refusal(byte[] request);

    /** Executes one committed request with the leader's time and seed; never completes exceptionally. */
    CompletableFuture<ClusterReply> apply(byte[] request, long timeMillis, long seed);

    /**
     * The settings that decide what this host's group answers, which every host of the cluster must share, in one
     * line ({@code service io.resh.examples.kv.KvStore, 3 replicas, maxRequestBytes 1048576}): hosts that differ
     * apply the same log and answer differently, which clients see after a leader change.
     */
    String settings();

    /** False when the group cannot snapshot its state: the Raft log is then kept whole and replayed. */
    boolean snapshots();

    /** The newest checkpoint f+1 replicas agreed on (only when {@link #snapshots()}). */
    Checkpoint stableCheckpoint();

    /** Asks for a checkpoint at the last executed request (only when {@link #snapshots()}). */
    void checkpointNow();

    @Override
    void close();
}
