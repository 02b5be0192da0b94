package io.resh.host;

import io.resh.core.config.ReplicaSpec;
import io.resh.replica.Frame;
import java.util.ArrayList;
import java.util.List;

/** The group loop's bookkeeping for one replica position. Touched only by the loop thread. */
final class Slot {
    final int index;
    /** The version the config gives this slot. */
    final ReplicaSpec configured;
    /** The version the current incarnation runs: {@link #configured}, or a stand-in while that one is quarantined. */
    ReplicaSpec spec;
    ReplicaProcess process;
    int incarnation;
    int cpu = -1;
    /** Since when the slot has been on {@link #cpu} (rebalancing moves the longest-sitting replica). */
    long cpuSinceNanos;
    SlotState state = SlotState.STOPPED;

    /** Next sequence number to send. */
    long cursor = 1;
    /** Highest sequence number this incarnation answered (replies come in order). */
    long repliedThrough;
    /** When this slot last made progress, or was first given work while idle. */
    long progressNanos;
    long lastHeardNanos;
    /** The process's {@link ReplicaProcess#progress} at the last timer check. */
    long progressSeen;
    long stateSinceNanos;

    /** Recovery in progress: when it began and the log position it must reach to rejoin. */
    long recoveryStartNanos = -1;
    long catchUpTarget;
    long replayFrom;
    /** The replacement in progress is a proactive rejuvenation, not a recovery from a fault. */
    boolean rejuvenating;
    /**
     * The faults injected into this incarnation that it carried out (labels, oldest first), or null: replies that
     * differ everywhere are then explained by them, not by a nondeterministic service.
     */
    List<String> injected;
    /** This incarnation's replay already warned of a reply only its predecessor had voted for (N = 1). */
    boolean replayMismatchWarned;
    /** The request at which an incarnation of this slot last diverged while replaying the log, or -1. */
    long replayDivergedAt = -1;
    /** The checkpoint this incarnation restored from the voted snapshot, or -1 when it started from the initial state. */
    long restoredFrom = -1;
    /** The restore sent with the hello has not been confirmed yet: until it is, the slot has not recovered. */
    boolean restorePending;
    /** A reply of this incarnation differed from the voted one. */
    boolean replyDisagreed;
    /** The current process started at the catch-up priority and has not been given the normal one back. */
    boolean lowPriority;
    /** A caught-up newcomer keeps the catch-up priority until then (while its JIT warms up), unless needed sooner. */
    long warmUntilNanos;

    long faults;
    long digestSequence;
    String digest = "";
    String lastFault = "";
    long backoffUntilNanos;
    /** Self-check: consecutive checks that found this slot's process dead without a report (see {@link SelfCheck}). */
    int deadStrikes;

    /** Frames for the next batch; handed to the process as a whole by the group loop, then replaced. */
    List<Frame> outbox = new ArrayList<>();

    Slot(int index, ReplicaSpec spec) {
        this.index = index;
        this.configured = spec;
        this.spec = spec;
    }

    boolean receivesRequests() {
        return state == SlotState.CATCHING_UP || state == SlotState.ACTIVE;
    }

    boolean hasProcess() {
        return process != null && (state == SlotState.STARTING || state == SlotState.RESTORING || receivesRequests());
    }

    boolean outstanding() {
        return cursor - 1 > repliedThrough;
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }
}
