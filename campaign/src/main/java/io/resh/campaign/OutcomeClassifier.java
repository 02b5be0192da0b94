package io.resh.campaign;

import java.util.List;
import java.util.Optional;

/**
 * Decides the {@link Outcome} of one injection from what was observed. Pure: no clock, no group.
 *
 * <p>The rules, in order (the first that applies wins):
 * <ol>
 *   <li>any reply differs from the golden run: {@link Outcome#SILENT_DATA_CORRUPTION};
 *   <li>the group failed stop, or a request got a fail-stop error: {@link Outcome#DETECTED_FAIL_STOP};
 *   <li>a request timed out or failed: {@link Outcome#UNAVAILABLE};
 *   <li>corrupted state remains (voted snapshot differs from the golden state, a serving replica
 *       disagrees with the stable digest unflagged, no checkpoint could be verified, or a replica is
 *       still stuck with nothing detected): {@link Outcome#LATENT};
 *   <li>the host blamed the target (or rolled back, which in DMR can't be attributed): corrected if
 *       the target recovered and the group settled, else {@link Outcome#DETECTED_UNRECOVERED};
 *   <li>otherwise: {@link Outcome#MASKED}.
 * </ol>
 * Detections of replicas other than the target (a healthy replica slowed down past the deadline by a
 * neighbour's recovery, say) do not make the injection "detected"; the campaign records them separately.
 */
public final class OutcomeClassifier {

    public Classification classify(WindowObservation o) {
        List<ReplyVerdict> replies = o.replies();
        int wrong = count(replies, ReplyVerdict.WRONG);
        if (wrong > 0) {
            return new Classification(Outcome.SILENT_DATA_CORRUPTION, wrong + " of " + replies.size()
                    + " replies differed from the golden run, the first at request " + (first(replies, ReplyVerdict.WRONG) + 1));
        }
        int failStops = count(replies, ReplyVerdict.FAIL_STOP);
        if (o.failStopped() || failStops > 0) {
            return new Classification(Outcome.DETECTED_FAIL_STOP, failStops > 0
                    ? "the group failed stop; " + failStops + " request(s) got a clear fail-stop error, none a wrong value"
                    : "the group failed stop; no wrong value was released");
        }
        int unavailable = count(replies, ReplyVerdict.UNAVAILABLE);
        if (unavailable > 0) {
            return new Classification(Outcome.UNAVAILABLE, unavailable + " of " + replies.size()
                    + " requests got no voted reply in time, the first at request " + (first(replies, ReplyVerdict.UNAVAILABLE) + 1));
        }
        Optional<Detection> blamed = o.detections().stream().filter(d -> d.replica() == o.target()).findFirst();
        boolean detected = blamed.isPresent() || o.rollbacks() > 0;
        StateCheck state = o.state();
        if (state.corrupted()) {
            return new Classification(Outcome.LATENT, !state.votedStateCorrect()
                    ? "the group's voted state differs from the golden run's and nothing flagged it"
                    : "replica(s) " + state.disagreeing() + " serve with a state digest that disagrees with the stable one, unflagged");
        }
        if (!detected && !o.settled()) {
            return new Classification(Outcome.LATENT, "replica " + o.target()
                    + " never caught up again and the host detected nothing");
        }
        if (o.settled() && !state.checked()) {
            return new Classification(Outcome.LATENT, "no checkpoint became stable, so corrupted state can't be ruled out");
        }
        if (detected) {
            String what = blamed.map(d -> "replica " + d.replica() + ": " + d.kind().label() + " detected "
                    + Math.round(d.millisAfterInjection()) + " ms after the injection")
                    .orElse("DMR mismatch: rolled back " + o.rollbacks() + " time(s) and re-executed");
            if (o.settled() && o.recovered().contains(o.target())) {
                return new Classification(Outcome.DETECTED_CORRECTED, what + "; recovered, every reply correct");
            }
            return new Classification(Outcome.DETECTED_UNRECOVERED, what + "; it had not rejoined when the window closed");
        }
        return new Classification(Outcome.MASKED, "no effect seen: every reply correct, state matches the golden run, nothing detected");
    }

    private static int count(List<ReplyVerdict> replies, ReplyVerdict v) {
        int n = 0;
        for (ReplyVerdict r : replies) {
            if (r == v) {
                n++;
            }
        }
        return n;
    }

    private static int first(List<ReplyVerdict> replies, ReplyVerdict v) {
        return replies.indexOf(v);
    }
}
