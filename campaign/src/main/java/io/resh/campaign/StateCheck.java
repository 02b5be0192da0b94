package io.resh.campaign;

import java.util.List;

/**
 * The state check at the end of an injection's window: a checkpoint forced at the last request, its
 * voted snapshot compared with the golden run's state, and every replica's digest with the voted one.
 *
 * @param checked false when no checkpoint became stable (the comparison could not be made)
 * @param votedStateCorrect the group's stable snapshot holds the same state as the golden run
 * @param disagreeing replicas that are serving with a state digest different from the stable one and
 *     that the host did not replace
 */
public record StateCheck(boolean checked, boolean votedStateCorrect, List<Integer> disagreeing) {
    public StateCheck {
        disagreeing = List.copyOf(disagreeing);
    }

    /** The group's state matches the golden run and every replica agrees with it. */
    public static StateCheck clean() {
        return new StateCheck(true, true, List.of());
    }

    /** No checkpoint became stable, so nothing could be compared. */
    public static StateCheck unchecked() {
        return new StateCheck(false, false, List.of());
    }

    /** Corrupted state is still in the group: in the voted snapshot or in a replica nobody flagged. */
    public boolean corrupted() {
        return checked && (!votedStateCorrect || !disagreeing.isEmpty());
    }
}
