package io.resh.campaign;

import io.resh.core.config.GroupConfig;
import io.resh.core.config.ReplicaSpec;
import io.resh.host.GroupStatus;
import io.resh.host.ReplicaGroup;
import io.resh.host.ReplicaStatus;
import io.resh.host.SlotState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The campaign's one replica group and its golden run, kept in step. It knows when the group has
 * settled after a fault, forces and verifies a checkpoint, and as a last resort replaces the whole
 * group (after a fail-stop, or when it can't settle) with a fresh one and a fresh golden run.
 */
final class GroupSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupSession.class);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final CampaignConfig config;
    private final Workload workload;
    private final EventRecorder recorder;
    private ReplicaGroup group;
    private GroupClient client;
    private int epoch = -1;

    GroupSession(CampaignConfig config, Workload workload, EventRecorder recorder) {
        this.config = config;
        this.workload = workload;
        this.recorder = recorder;
    }

    /** The group configuration a campaign runs: N replicas of the service with campaign timings. */
    static GroupConfig groupConfig(CampaignConfig config, Workload workload, int replicas, String name, String workDir) {
        GroupConfig.Builder b = GroupConfig.builder(name).replicas(replicas);
        List<String> versions = config.diverse() ? workload.versions() : workload.versions().subList(0, 1);
        for (String cls : versions) {
            b.version(new ReplicaSpec(cls, "java", config.jvmArgs(), cls.substring(cls.lastIndexOf('.') + 1)));
        }
        Duration deadline = config.deadline();
        return b.deadline(deadline).heartbeatInterval(Duration.ofMillis(100)).heartbeatTimeout(heartbeatTimeout(deadline))
                .startTimeout(Duration.ofSeconds(20)).checkpointEvery(config.checkpointEvery()).seed(config.seed())
                // Every injection restarts a replica: the default intensity limit would soon back off.
                .restartIntensity(50, Duration.ofSeconds(10))
                .workDir(workDir).build();
    }

    /**
     * The campaign group's heartbeat timeout: twice the deadline, so a {@code slow} fault (at most twice the
     * deadline) is not also flagged as silent, and at least 1 s. It is also the longest any injected fault
     * takes to be detected, which {@link CampaignConfig.Builder#build()} sizes the settle timeout by.
     */
    static Duration heartbeatTimeout(Duration deadline) {
        Duration twice = deadline.multipliedBy(2);
        return twice.compareTo(Duration.ofSeconds(1)) > 0 ? twice : Duration.ofSeconds(1);
    }

    /** Starts (or replaces) the group with a fresh golden run. */
    void start() {
        closeGroup();
        epoch++;
        String dir = config.workDir() == null ? null : config.workDir().resolve("group-" + epoch).toString();
        GroupConfig gc = groupConfig(config, workload, config.replicas(), "campaign-" + workload.name(), dir);
        group = ReplicaGroup.start(gc, List.of(recorder));
        client = new GroupClient(group, new GoldenRun(workload.newGolden()), config.requestTimeout());
    }

    ReplicaGroup group() {
        return group;
    }

    GroupClient client() {
        return client;
    }

    int epoch() {
        return epoch;
    }

    /** Every replica serving and caught up with every request, and the group not failed. */
    boolean settled() {
        return settled(group.status(), client.sent());
    }

    static boolean settled(GroupStatus s, long sent) {
        if (s.failed() != null || s.lastSequence() != sent) {
            return false;
        }
        for (ReplicaStatus r : s.replicaStates()) {
            if (r.state() != SlotState.ACTIVE || r.repliedThrough() != sent) {
                return false;
            }
        }
        return true;
    }

    /** Waits until {@link #settled()} or the group failed, at most until {@code deadlineNanos}. */
    boolean awaitSettled(long deadlineNanos) {
        while (true) {
            GroupStatus s = group.status();
            if (settled(s, client.sent())) {
                return true;
            }
            if (s.failed() != null || System.nanoTime() >= deadlineNanos) {
                return false;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    boolean failed() {
        return group.status().failed() != null;
    }

    /**
     * Forces a checkpoint at the last request, waits until it is stable and every replica has reported
     * its digest for it, and compares: the voted snapshot with the golden state, each replica's digest
     * with the voted one. A replica replaced during the window may have been restored from that very
     * checkpoint, so it reports nothing; its state is the voted one by construction. A DMR mismatch
     * rolls back instead of stabilizing; the check then asks again (a transient fault is gone after
     * re-execution, a persistent one fails stop).
     *
     * @param windowIncarnations every slot's incarnation when the window began (see {@link #incarnations()})
     */
    StateCheck verifyState(List<Integer> windowIncarnations, long deadlineNanos) {
        long target = client.sent();
        for (int attempt = 0; attempt < 3; attempt++) {
            List<Integer> before = incarnations(group.status());
            group.checkpointNow();
            while (true) {
                GroupStatus s = group.status();
                if (s.failed() != null || System.nanoTime() >= deadlineNanos) {
                    return StateCheck.unchecked();
                }
                boolean settled = settled(s, target);
                if (settled && s.stableCheckpoint() >= target && reported(s, target, windowIncarnations)) {
                    return compare(s);
                }
                if (settled && s.stableCheckpoint() < target && !before.equals(incarnations(s))) {
                    break; // replicas were replaced (a rollback) before the checkpoint became stable: ask again
                }
                LockSupport.parkNanos(POLL_NANOS);
            }
        }
        return StateCheck.unchecked();
    }

    /** Every slot's current incarnation, in slot order. */
    List<Integer> incarnations() {
        return incarnations(group.status());
    }

    private static List<Integer> incarnations(GroupStatus s) {
        List<Integer> out = new ArrayList<>();
        for (ReplicaStatus r : s.replicaStates()) {
            out.add(r.incarnation());
        }
        return out;
    }

    /** Every replica has reported a digest at {@code target}, or was replaced since {@code windowIncarnations}. */
    private static boolean reported(GroupStatus s, long target, List<Integer> windowIncarnations) {
        for (ReplicaStatus r : s.replicaStates()) {
            if (r.digestSequence() < target && r.incarnation() == windowIncarnations.get(r.index())) {
                return false;
            }
        }
        return true;
    }

    private StateCheck compare(GroupStatus s) {
        List<Integer> disagreeing = new ArrayList<>();
        for (ReplicaStatus r : s.replicaStates()) {
            if (r.state() == SlotState.ACTIVE && r.digestSequence() == s.stableCheckpoint()
                    && !r.digest().equals(s.stableDigest())) {
                disagreeing.add(r.index());
            }
        }
        byte[] snapshot = group.stableCheckpoint().snapshot();
        boolean correct = snapshot != null && workload.sameState(snapshot, client.golden().service());
        return new StateCheck(true, correct, disagreeing);
    }

    /**
     * Makes the golden run continue from the group's voted state, so that corruption the group could
     * not see (N = 1) is blamed on the injection that caused it and not on every later one. Replaces
     * the group if the golden service refuses the snapshot.
     */
    void rebaseGolden() {
        byte[] snapshot = group.stableCheckpoint().snapshot();
        try {
            if (snapshot == null) {
                throw new IOException("no stable snapshot");
            }
            client.golden().rebase(snapshot);
        } catch (IOException | RuntimeException e) {
            LOG.info("campaign: the golden run can't take the group's corrupted state ({}); starting a fresh group",
                    e.getMessage());
            start();
        }
    }

    private void closeGroup() {
        if (group != null) {
            group.close();
            group = null;
        }
    }

    @Override
    public void close() {
        closeGroup();
    }
}
