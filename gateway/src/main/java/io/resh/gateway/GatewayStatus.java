package io.resh.gateway;

import java.nio.file.Path;
import java.util.List;

/**
 * A point-in-time view of a running gateway, for {@code resh status} and tests.
 *
 * @param clients open client connections (UDP: client addresses seen recently)
 * @param requests requests sequenced so far
 * @param inFlight requests sent to replicas and not yet answered by all of them
 * @param undecided requests answered with an error because no f+1 replicas agreed (reads, or too
 *     few healthy replicas)
 * @param replayLogOverflowed true once the replay log passed its bound: failed replicas are not rebuilt (for
 *     good without checkpoints; with them, until the next one is stored and the log starts again there)
 * @param requestsOfDeath requests dropped from the replay log because they crashed or hung f+1
 *     replicas, then f+1 of their replacements
 * @param unreplayableRequest why failed replicas cannot be rebuilt by replay, or null: a request replicas
 *     answered kills every server that replays it, so it is kept in the log and the group runs on the
 *     replicas that executed it (one line naming the request and what to do)
 * @param failStop why the group stopped answering, or null while it answers
 * @param notServing why it answers nothing voted though it did not stop (fewer than f+1 replicas are healthy: they are
 *     being rebuilt, or cannot be, for good), or null while f+1 are
 * @param checkpoint the request of the checkpoint replacements start from (the replay log holds what came after), or 0
 * @param checkpoints true when the config has {@code checkpoint:}: an overflowed replay log starts again at the next one
 */
public record GatewayStatus(String group, String mode, String protocol, String host, int port, int clients,
                            long requests, int inFlight, long undecided, long replayLogEntries, long replayLogBytes,
                            boolean replayLogOverflowed, long requestsOfDeath, String unreplayableRequest,
                            String failStop, String notServing, long checkpoint, boolean checkpoints, List<ReplicaStatus> replicas) {

    public GatewayStatus {
        replicas = List.copyOf(replicas);
    }

    /**
     * @param state {@code starting}, {@code replaying}, {@code live}, {@code faulty} (being replaced) or
     *     {@code stopped} (not replaced: the replay log overflowed; with checkpoints, restarted once the next one
     *     starts the log again)
     * @param core the CPU the replica's server is pinned to ({@code server.pin}), or -1 when not pinned
     * @param pid process id of the current incarnation, or -1
     * @param port loopback port the current incarnation listens on, or -1
     * @param incarnation how many times this replica was started
     * @param faults faults detected on this replica so far
     * @param lastFault the last fault's kind and evidence, or null
     * @param log the replica's log file (stdout and stderr of every incarnation)
     */
    public record ReplicaStatus(int replica, String state, int core, long pid, int port, int incarnation, long faults,
                                String lastFault, Path log) {
    }

    /** Number of replicas currently in the vote. */
    public long liveReplicas() {
        return replicas.stream().filter(r -> r.state().equals("live")).count();
    }
}
