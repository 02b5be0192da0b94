package io.resh.host;

/** Where a replica slot is in its life cycle. */
public enum SlotState {
    /** Process launched, waiting for its hello. */
    STARTING,
    /** Restoring the stable snapshot. */
    RESTORING,
    /** Replaying the log tail; its replies are checked but it is not yet counted as healthy. */
    CATCHING_UP,
    /** Healthy and voting. */
    ACTIVE,
    /** Restart intensity exceeded: waiting before the next restart. */
    BACKING_OFF,
    /** Adaptive redundancy in DMR mode: no process; woken (restore + replay) by the first divergence. */
    DORMANT,
    /** Stopped with the group. */
    STOPPED;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
