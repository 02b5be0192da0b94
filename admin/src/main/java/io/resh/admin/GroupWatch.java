package io.resh.admin;

import io.resh.core.GroupEvent;
import io.resh.host.GroupStatus;
import io.resh.host.ReplicaGroup;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the admin knows about one group: its latest status (polled, so HTTP handlers never wait on the
 * group's loop; it carries the host's reputation of every replica, core and version), each replica's
 * last-fault time (from events), and one-second traffic samples for the charts.
 *
 * <p>The status is polled periodically, and again at once after an event that changes what it shows
 * (a fault, a recovery, a restart, a move): a reader that saw the event and waits for {@link #settled}
 * gets a status taken after it, not one up to a period old.
 *
 * <p>Threads: {@link #poll} and {@link #sample} run on the admin's scheduler, {@link #onEvent} on the
 * admin event thread, readers on any thread.
 */
final class GroupWatch {
    private static final Logger LOG = LoggerFactory.getLogger(GroupWatch.class);
    private static final int SAMPLES_KEPT = 300;

    private volatile ReplicaGroup group;
    private final VoteLatency latency;
    private final Clock clock;
    private final int replicas;
    private final AtomicLongArray lastFaultMillis;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private final CoalescedPoll refresh;
    private volatile GroupStatus latest;
    private volatile String unreachable;
    private volatile long lastCheckpointMillis;
    private volatile long lastCheckpointSequence;

    // sampler thread only
    private long previousReplies = -1;
    private long previousSampleMillis;
    private Histogram recycle;

    /** {@code polls} runs the polls that events ask for (the admin's scheduler). */
    GroupWatch(ReplicaGroup group, VoteLatency latency, Clock clock, Executor polls) {
        this.group = group;
        this.refresh = new CoalescedPoll(this::poll, polls);
        this.latency = latency;
        this.clock = clock;
        this.replicas = group.config().replicas();
        this.lastFaultMillis = new AtomicLongArray(replicas);
        this.lastCheckpointMillis = clock.millis();
    }

    String name() {
        return group.config().name();
    }

    ReplicaGroup group() {
        return group;
    }

    /** Watches {@code replacement} (same name and size) from now on; returns the group watched before. */
    ReplicaGroup rebind(ReplicaGroup replacement) {
        ReplicaGroup old = group;
        group = replacement;
        unreachable = null;
        return old;
    }

    VoteLatency latency() {
        return latency;
    }

    int replicas() {
        return replicas;
    }

    /**
     * Takes a fresh status from the group's loop; a group that does not answer is marked unreachable. One
     * poll at a time, so an older status that took longer can't overwrite a newer one.
     */
    synchronized void poll() {
        try {
            GroupStatus s = group.status();
            latest = s;
            unreachable = null;
            if (s.stableCheckpoint() != lastCheckpointSequence) {
                lastCheckpointSequence = s.stableCheckpoint();
                lastCheckpointMillis = clock.millis();
            }
        } catch (RuntimeException e) {
            if (unreachable == null && !group.isClosed()) { // closed: stopping, with the JVM or before the admin
                LOG.warn("admin: group {} did not report its status: {}", name(), e.getMessage());
            }
            unreachable = e.getMessage() == null ? e.toString() : e.getMessage();
        }
    }

    /** The newest polled status, or null before the first poll. */
    GroupStatus latest() {
        return latest;
    }

    /**
     * The newest polled status while the group answers; null while it does not (or before the first poll): what it
     * showed last may no longer hold, and a gauge must not show a healthy group nobody can reach.
     */
    GroupStatus current() {
        String down = unreachable;
        GroupStatus s = latest;
        return down == null ? s : null;
    }

    /** Why the last poll failed, or null. */
    String unreachable() {
        return unreachable;
    }

    long checkpointAgeMillis() {
        return Math.max(0, clock.millis() - lastCheckpointMillis);
    }

    /** The host's trust in the replica slot as of the latest poll, in (0, 1]; NaN while the group does not answer. */
    double reputation(int replica) {
        GroupStatus s = current();
        return s == null ? Double.NaN : s.replicaStates().get(replica).reputation();
    }

    /** Epoch millis of the replica's last detected fault, or 0. */
    long lastFaultMillis(int replica) {
        return lastFaultMillis.get(replica);
    }

    /** Called before the event is written to the log and the stream, so a reader who saw it finds the poll. */
    void onEvent(GroupEvent event) {
        if (event instanceof GroupEvent.FaultDetected f && f.replica() >= 0 && f.replica() < replicas) {
            lastFaultMillis.set(f.replica(), f.timeMillis());
        } else if (event instanceof GroupEvent.CheckpointStable c) {
            lastCheckpointSequence = c.sequence();
            lastCheckpointMillis = c.timeMillis();
        }
        if (changesStatus(event)) {
            refresh.request();
        }
    }

    /**
     * Whether the status shows the event's effect (a replica's state, process, faults or trust, a core, a
     * version, the redundancy mode). Not checkpoints: under load they come many times a second, and the
     * periodic poll shows them soon enough. Not injections: what they do shows in the fault they cause.
     */
    static boolean changesStatus(GroupEvent event) {
        return !(event instanceof GroupEvent.CheckpointStable) && !(event instanceof GroupEvent.FaultInjected);
    }

    /** Completes when the polls that events asked for so far have finished (at once when none is pending). */
    CompletableFuture<Void> settled() {
        return refresh.settled();
    }

    /** Closes the current one-second interval: replies per second and vote latency percentiles. */
    Sample sample() {
        long now = clock.millis();
        GroupStatus s = latest;
        long replies = s == null ? 0 : s.counters().getOrDefault("replies", 0L) + s.counters().getOrDefault("service-errors", 0L);
        double rate = 0;
        if (previousReplies >= 0 && now > previousSampleMillis) {
            rate = Math.max(0, replies - previousReplies) * 1000.0 / (now - previousSampleMillis);
        }
        previousReplies = replies;
        previousSampleMillis = now;
        Histogram h = latency.takeInterval(recycle);
        recycle = h;
        long count = h.getTotalCount();
        Sample sample = new Sample(now, name(), rate, count,
                count == 0 ? -1 : h.getValueAtPercentile(50), count == 0 ? -1 : h.getValueAtPercentile(99),
                count == 0 ? -1 : h.getMaxValue());
        synchronized (samples) {
            samples.addLast(sample);
            while (samples.size() > SAMPLES_KEPT) {
                samples.removeFirst();
            }
        }
        return sample;
    }

    List<Sample> samples() {
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }
}
