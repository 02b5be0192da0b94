package io.resh.host;

import java.util.List;
import java.util.Map;

/**
 * A consistent snapshot of a group, taken on its loop thread.
 *
 * @param name group name
 * @param replicas N
 * @param faultsMasked f
 * @param failed null while serving; the fail-stop reason otherwise
 * @param lastSequence highest sequence number assigned
 * @param stableCheckpoint sequence number of the stable checkpoint (0 = initial state)
 * @param stableDigest hex digest of the stable checkpoint, or empty
 * @param logLength requests kept since the stable checkpoint
 * @param pending requests not yet answered
 * @param counters named counters: requests, replies, faults by kind, recoveries, checkpoints, rollbacks
 * @param replicaStates one status per slot
 * @param supervision trust in cores and versions, quarantines, redundancy mode, rejuvenation
 */
public record GroupStatus(String name, int replicas, int faultsMasked, String failed, long lastSequence,
                          long stableCheckpoint, String stableDigest, int logLength, int pending,
                          Map<String, Long> counters, List<ReplicaStatus> replicaStates,
                          SupervisionStatus supervision) {
}
