package io.resh.campaign;

import java.util.List;

/**
 * Everything seen during one injection's window, the input of {@link OutcomeClassifier}.
 *
 * @param replicas N
 * @param target the replica the fault was injected into
 * @param replies one verdict per request of the window, in order
 * @param detections faults the host detected in the window, in order
 * @param recovered replicas that completed a recovery in the window (a replica may appear twice)
 * @param rollbacks DMR rollbacks in the window
 * @param failStopped the group failed stop in the window
 * @param settled at the end every replica was serving and had answered every request
 * @param state the end-of-window state check
 */
public record WindowObservation(int replicas, int target, List<ReplyVerdict> replies, List<Detection> detections,
                                List<Integer> recovered, int rollbacks, boolean failStopped, boolean settled,
                                StateCheck state) {
    public WindowObservation {
        replies = List.copyOf(replies);
        detections = List.copyOf(detections);
        recovered = List.copyOf(recovered);
    }
}
