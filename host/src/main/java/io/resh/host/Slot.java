package io.resh.host;

import io.resh.core.config.ReplicaSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import io.resh.replica.Frame;

/** The group loop's bookkeeping for one replica position. Touched only by the loop thread. */
final class Slot {
    final int index;
    final ReplicaSpec spec;
    ReplicaProcess process;
    int incarnation;
    int cpu = -1;
    SlotState state = SlotState.STOPPED;

    /** Next sequence number to send. */
    long cursor = 1;
    /** Highest sequence number this incarnation answered (replies come in order). */
    long repliedThrough;
    /** When this slot last made progress, or was first given work while idle. */
    long progressNanos;
    long lastHeardNanos;
    long stateSinceNanos;

    /** Recovery in progress: when it began and the log position it must reach to rejoin. */
    long recoveryStartNanos = -1;
    long catchUpTarget;
    long replayFrom;

    long faults;
    long digestSequence;
    String digest = "";
    String lastFault = "";
    final ArrayDeque<Long> restartTimes = new ArrayDeque<>();
    long backoffUntilNanos;
    int backoffLevel;

    final List<Frame> outbox = new ArrayList<>();

    Slot(int index, ReplicaSpec spec) {
        this.index = index;
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
