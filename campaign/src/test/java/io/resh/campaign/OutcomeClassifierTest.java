package io.resh.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.FaultKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutcomeClassifierTest {
    private static final int TARGET = 1;
    private final OutcomeClassifier classifier = new OutcomeClassifier();

    private static List<ReplyVerdict> replies(int n, ReplyVerdict... tail) {
        List<ReplyVerdict> out = new ArrayList<>(Collections.nCopies(n, ReplyVerdict.CORRECT));
        out.addAll(List.of(tail));
        return out;
    }

    private static Detection on(int replica, FaultKind kind) {
        return new Detection(replica, kind, 3.5, "evidence");
    }

    private static WindowObservation window(List<ReplyVerdict> replies, List<Detection> detections, List<Integer> recovered,
                                            int rollbacks, boolean failStopped, boolean settled, StateCheck state) {
        return new WindowObservation(3, TARGET, replies, detections, recovered, rollbacks, failStopped, settled, state);
    }

    private Classification clean(List<Detection> detections, List<Integer> recovered) {
        return classifier.classify(window(replies(20), detections, recovered, 0, false, true, StateCheck.clean()));
    }

    @Test
    void shouldCallAFaultWithNoVisibleEffectMasked() {
        Classification c = clean(List.of(), List.of());
        assertThat(c.outcome()).isEqualTo(Outcome.MASKED);
        assertThat(c.explanation()).contains("no effect");
    }

    @Test
    void shouldCallADetectedAndRecoveredTargetCorrected() {
        Classification c = clean(List.of(on(TARGET, FaultKind.DIVERGENCE)), List.of(TARGET));
        assertThat(c.outcome()).isEqualTo(Outcome.DETECTED_CORRECTED);
        assertThat(c.explanation()).contains("replica 1").contains("divergence").contains("4 ms");
    }

    @Test
    void shouldNotCountADetectionOfAnotherReplicaAsDetectingTheInjectedFault() {
        assertThat(clean(List.of(on(2, FaultKind.HANG)), List.of(2)).outcome()).isEqualTo(Outcome.MASKED);
    }

    @Test
    void shouldCallADetectedTargetThatNeverRejoinedUnrecovered() {
        Classification c = classifier.classify(window(replies(20), List.of(on(TARGET, FaultKind.CRASH)), List.of(), 0,
                false, false, StateCheck.unchecked()));
        assertThat(c.outcome()).isEqualTo(Outcome.DETECTED_UNRECOVERED);
        assertThat(c.explanation()).contains("not rejoined");
    }

    @Test
    void shouldRequireTheGroupToSettleBeforeCallingARecoveryCorrected() {
        Classification c = classifier.classify(window(replies(20), List.of(on(TARGET, FaultKind.CRASH)), List.of(TARGET), 0,
                false, false, StateCheck.unchecked()));
        assertThat(c.outcome()).isEqualTo(Outcome.DETECTED_UNRECOVERED);
    }

    @Test
    void shouldCallAnyWrongReplySilentDataCorruptionEvenWhenTheFaultWasDetected() {
        Classification c = classifier.classify(window(replies(5, ReplyVerdict.WRONG, ReplyVerdict.CORRECT, ReplyVerdict.WRONG),
                List.of(on(TARGET, FaultKind.DIVERGENCE)), List.of(TARGET), 0, false, true, StateCheck.clean()));
        assertThat(c.outcome()).isEqualTo(Outcome.SILENT_DATA_CORRUPTION);
        assertThat(c.explanation()).startsWith("2 of 8 replies").contains("request 6");
    }

    @Test
    void shouldRankSilentDataCorruptionAboveFailStopAndUnavailable() {
        Classification c = classifier.classify(window(replies(1, ReplyVerdict.UNAVAILABLE, ReplyVerdict.FAIL_STOP, ReplyVerdict.WRONG),
                List.of(), List.of(), 0, true, false, StateCheck.unchecked()));
        assertThat(c.outcome()).isEqualTo(Outcome.SILENT_DATA_CORRUPTION);
    }

    @Test
    void shouldCallAFailStopErrorDetectedFailStop() {
        Classification c = classifier.classify(window(replies(3, ReplyVerdict.FAIL_STOP, ReplyVerdict.FAIL_STOP), List.of(),
                List.of(), 1, true, false, StateCheck.unchecked()));
        assertThat(c.outcome()).isEqualTo(Outcome.DETECTED_FAIL_STOP);
        assertThat(c.explanation()).contains("2 request(s)").contains("none a wrong value");
    }

    @Test
    void shouldCallAGroupThatFailedStopWithoutFailingARequestDetectedFailStop() {
        Classification c = classifier.classify(window(replies(20), List.of(), List.of(), 0, true, false, StateCheck.unchecked()));
        assertThat(c.outcome()).isEqualTo(Outcome.DETECTED_FAIL_STOP);
    }

    @Test
    void shouldRankFailStopAboveUnavailable() {
        Classification c = classifier.classify(window(replies(2, ReplyVerdict.UNAVAILABLE, ReplyVerdict.FAIL_STOP), List.of(),
                List.of(), 0, false, false, StateCheck.unchecked()));
        assertThat(c.outcome()).isEqualTo(Outcome.DETECTED_FAIL_STOP);
    }

    @Test
    void shouldCallATimedOutRequestUnavailable() {
        Classification c = classifier.classify(window(replies(4, ReplyVerdict.UNAVAILABLE), List.of(on(TARGET, FaultKind.HANG)),
                List.of(TARGET), 0, false, true, StateCheck.clean()));
        assertThat(c.outcome()).isEqualTo(Outcome.UNAVAILABLE);
        assertThat(c.explanation()).contains("request 5");
    }

    @Test
    void shouldCallAVotedStateThatDiffersFromTheGoldenRunLatent() {
        Classification c = classifier.classify(window(replies(20), List.of(), List.of(), 0, false, true,
                new StateCheck(true, false, List.of())));
        assertThat(c.outcome()).isEqualTo(Outcome.LATENT);
        assertThat(c.explanation()).contains("voted state");
    }

    @Test
    void shouldCallAnUnflaggedDisagreeingReplicaLatentEvenIfSomethingElseWasDetected() {
        Classification c = classifier.classify(window(replies(20), List.of(on(TARGET, FaultKind.DIVERGENCE)), List.of(TARGET),
                0, false, true, new StateCheck(true, true, List.of(2))));
        assertThat(c.outcome()).isEqualTo(Outcome.LATENT);
        assertThat(c.explanation()).contains("[2]");
    }

    @Test
    void shouldCallAStuckReplicaThatNobodyDetectedLatent() {
        Classification c = classifier.classify(window(replies(20), List.of(), List.of(), 0, false, false, StateCheck.unchecked()));
        assertThat(c.outcome()).isEqualTo(Outcome.LATENT);
        assertThat(c.explanation()).contains("never caught up");
    }

    @Test
    void shouldCallASettledGroupWhoseStateCouldNotBeVerifiedLatent() {
        Classification c = classifier.classify(window(replies(20), List.of(on(TARGET, FaultKind.CRASH)), List.of(TARGET), 0,
                false, true, StateCheck.unchecked()));
        assertThat(c.outcome()).isEqualTo(Outcome.LATENT);
        assertThat(c.explanation()).contains("no checkpoint");
    }

    @Test
    void shouldCountADmrRollbackAsDetectionEvenThoughNoReplicaWasBlamed() {
        Classification c = classifier.classify(new WindowObservation(2, 0, replies(20), List.of(), List.of(0, 1), 1, false,
                true, StateCheck.clean()));
        assertThat(c.outcome()).isEqualTo(Outcome.DETECTED_CORRECTED);
        assertThat(c.explanation()).contains("rolled back 1 time");
    }

    @Test
    void shouldCallADmrRollbackWhoseReplicasDidNotComeBackUnrecovered() {
        Classification c = classifier.classify(new WindowObservation(2, 0, replies(20), List.of(), List.of(1), 1, false,
                true, StateCheck.clean()));
        assertThat(c.outcome()).isEqualTo(Outcome.DETECTED_UNRECOVERED);
    }

    @Test
    void shouldUseTheFirstDetectionOfTheTargetInTheExplanation() {
        Classification c = clean(List.of(on(0, FaultKind.HANG), new Detection(TARGET, FaultKind.PROTOCOL, 12.4, "bad magic"),
                on(TARGET, FaultKind.CRASH)), List.of(0, TARGET));
        assertThat(c.outcome()).isEqualTo(Outcome.DETECTED_CORRECTED);
        assertThat(c.explanation()).contains("protocol detected 12 ms");
    }

    @Test
    void shouldClassifyAnEmptyWindowAsMasked() {
        Classification c = classifier.classify(window(List.of(), List.of(), List.of(), 0, false, true, StateCheck.clean()));
        assertThat(c.outcome()).isEqualTo(Outcome.MASKED);
    }

    @Test
    void shouldTreatOnlyMaskedAndCorrectedAndFailStopAsSafe() {
        assertThat(Outcome.values()).filteredOn(Outcome::safe)
                .containsExactly(Outcome.MASKED, Outcome.DETECTED_CORRECTED, Outcome.DETECTED_FAIL_STOP);
        assertThat(Outcome.values()).filteredOn(Outcome::detected)
                .containsExactly(Outcome.DETECTED_CORRECTED, Outcome.DETECTED_FAIL_STOP, Outcome.DETECTED_UNRECOVERED);
    }

    @Test
    void shouldParseOutcomesByLabelAndByName() {
        for (Outcome o : Outcome.values()) {
            assertThat(Outcome.parse(o.label())).isEqualTo(o);
            assertThat(Outcome.parse(o.name())).isEqualTo(o);
        }
    }
}
