package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.FaultKind;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class PoisonWatchTest {
    private final PoisonWatch watch = new PoisonWatch();

    /** Replica {@code slot} crashed at {@code now} with {@code seq} as its suspect. */
    private void crash(int slot, long seq, boolean conclusive, long now) {
        watch.died(seq, new PoisonWatch.Death(slot, "v", -1, now, conclusive, FaultKind.CRASH, false, "process exited with code 70"));
    }

    /** Replica {@code slot} was ended by SIGKILL at {@code now} with {@code seq} as its suspect. */
    private void killed(int slot, long seq, boolean conclusive, long now) {
        watch.died(seq, new PoisonWatch.Death(slot, "v", -1, now, conclusive, FaultKind.CRASH, true,
                "process exited with code 137 (signal 9)"));
    }

    /** Replica {@code slot} was found hung at {@code now} with {@code seq} as its suspect. */
    private void hang(int slot, long seq, boolean conclusive, long now) {
        watch.died(seq, new PoisonWatch.Death(slot, "v", -1, now, conclusive, FaultKind.HANG, false, "no reply within 1s"));
    }

    private static BitSet slots(int... indexes) {
        BitSet b = new BitSet();
        for (int i : indexes) {
            b.set(i);
        }
        return b;
    }

    @Test
    void shouldCallARequestPoisonOnceEveryLiveReplicaDiedOfItConclusively() {
        crash(0, 7, true, 1);
        crash(1, 7, true, 2);
        assertThat(watch.poisoned(slots(0, 1, 2))).as("replica 2 may still answer #7").isFalse();
        crash(2, 7, true, 3);
        assertThat(watch.poisoned(slots(0, 1, 2))).isTrue();
        assertThat(watch.replicasKilled()).isEqualTo(3);
        assertThat(watch.deaths()).extracting(PoisonWatch.Death::slot).containsExactly(0, 1, 2);
    }

    @Test
    void shouldWaitForAConclusiveDeathOfEverySlotWhenSomeDiedWithLaterRequestsQueued() {
        crash(0, 7, false, 1); // it had #7 and #8: it may have died of #8
        crash(1, 7, true, 2);
        crash(2, 7, true, 3);
        assertThat(watch.poisoned(slots(0, 1, 2))).isFalse();
        assertThat(watch.diedOf(0)).as("its replacement must replay #7 alone").isFalse();
        assertThat(watch.diedOf(1)).as("its replacement need not die of #7 again").isTrue();
        crash(0, 7, true, 4);
        assertThat(watch.poisoned(slots(0, 1, 2))).isTrue();
        assertThat(watch.replicasKilled()).isEqualTo(3);
        assertThat(watch.deaths()).hasSize(4);
    }

    @Test
    void shouldIgnoreSlotsThatAreNotLive() {
        crash(0, 7, true, 1);
        crash(1, 7, true, 2);
        assertThat(watch.poisoned(slots(0, 1))).as("replica 2 is dormant or backing off").isTrue();
    }

    @Test
    void shouldNeedTwoDeathsWhenOnlyOneReplicaRuns() {
        crash(0, 3, true, 1);
        assertThat(watch.poisoned(slots(0))).as("one crash of the only replica: maybe the OOM killer").isFalse();
        assertThat(watch.diedOf(0)).as("its replacement must replay #3").isFalse();
        crash(0, 3, true, 2);
        assertThat(watch.poisoned(slots(0))).isTrue();
        assertThat(watch.replicasKilled()).isEqualTo(1);
    }

    @Test
    void shouldStartOverWhenAnEarlierRequestIsSuspectedAndIgnoreLaterOnes() {
        crash(0, 9, true, 1);
        crash(1, 12, true, 2);
        assertThat(watch.suspect()).isEqualTo(9);
        assertThat(watch.deaths()).hasSize(1);
        crash(1, 5, true, 3);
        assertThat(watch.suspect()).isEqualTo(5);
        assertThat(watch.deaths()).hasSize(1);
        watch.clear();
        assertThat(watch.suspect()).isZero();
        assertThat(watch.poisoned(slots(0))).isFalse();
    }

    @Test
    void shouldSayWhatTheRequestKilled() {
        assertThat(PoisonWatch.verdict(7, 3, 3, 3, "process exited with code 70", null)).isEqualTo(
                "request #7 killed all 3 replicas (crash: process exited with code 70); it was skipped (no replica's state includes it) and will not be retried");
        assertThat(PoisonWatch.verdict(7, 3, 5, 3, "x", null)).startsWith("request #7 killed all 3 replicas, 5 processes in all (crash: x)");
        assertThat(PoisonWatch.verdict(7, 2, 2, 3, "x", null)).startsWith("request #7 killed every live replica (2 of 3) (crash: x)");
        assertThat(PoisonWatch.verdict(2, 1, 2, 1, "x", null)).startsWith("request #2 killed the replica and its replacement (crash: x)");
        assertThat(PoisonWatch.verdict(2, 1, 3, 1, "x", null)).startsWith("request #2 killed the replica and 2 replacements (crash: x)");
    }

    @Test
    void shouldCallARequestThatHungEveryReplicaPoisonUnderTheSameRulesAsACrash() {
        hang(0, 7, false, 1); // it had #7 and #8: it may be stuck in #8
        hang(1, 7, true, 2);
        hang(2, 7, true, 3);
        assertThat(watch.poisoned(slots(0, 1, 2))).as("replica 0's replacement may yet answer #7").isFalse();
        assertThat(watch.diedOf(0)).as("its replacement must replay #7 alone").isFalse();
        assertThat(watch.diedOf(2)).as("hangs alone: a replacement must hang in #7 too").isFalse();
        hang(0, 7, true, 4);
        assertThat(watch.poisoned(slots(0, 1, 2))).isTrue();
        assertThat(watch.verdict(3)).isEqualTo("request #7 hung all 3 replicas, 4 processes in all (no reply within 1s);"
                + " it was skipped (no replica's state includes it) and will not be retried");
    }

    /** Every replica stopped from outside, or not run for longer than the deadline, hangs "in" one request. */
    @Test
    void shouldNeedAReplacementToHangTooWhenEveryDeathWasAHang() {
        hang(0, 7, true, 1);
        hang(1, 7, true, 2);
        hang(2, 7, true, 3);
        assertThat(watch.poisoned(slots(0, 1, 2))).as("one round of hangs").isFalse();
        assertThat(watch.diedOf(1)).as("replacements are sent #7").isFalse();
        hang(1, 7, true, 4);
        assertThat(watch.poisoned(slots(0, 1, 2))).isTrue();
        assertThat(watch.diedOf(0)).isTrue();
        assertThat(watch.verdict(3)).startsWith("request #7 hung all 3 replicas, 4 processes in all");
    }

    /** {@code kill -9} of every replica at once: one round of SIGKILLs is what an operator's mistake looks like. */
    @Test
    void shouldNeedAReplacementToDieTooWhenEveryCrashWasASignalFromOutside() {
        killed(0, 7, true, 1);
        killed(1, 7, true, 2);
        killed(2, 7, true, 3);
        assertThat(watch.poisoned(slots(0, 1, 2))).as("one round of SIGKILLs").isFalse();
        assertThat(watch.diedOf(2)).as("replacements are sent #7").isFalse();
        killed(2, 7, true, 4);
        assertThat(watch.poisoned(slots(0, 1, 2))).as("a fresh replica killed in #7 again").isTrue();
        assertThat(watch.verdict(3)).startsWith("request #7 killed all 3 replicas, 4 processes in all (crash: process exited"
                + " with code 137 (signal 9))");
    }

    @Test
    void shouldTakeOneCrashOfItsOwnAsEnoughAmongSignalsAndHangs() {
        killed(0, 7, true, 1);
        hang(1, 7, true, 2);
        assertThat(watch.poisoned(slots(0, 1, 2))).isFalse();
        crash(2, 7, true, 3);
        assertThat(watch.poisoned(slots(0, 1, 2))).as("replica 2 exited with 70 on its own").isTrue();
    }

    @Test
    void shouldCountCrashesAndHangsOfTheSameRequestTogether() {
        crash(0, 7, true, 1);
        hang(1, 7, true, 2);
        assertThat(watch.poisoned(slots(0, 1, 2))).isFalse();
        hang(2, 7, true, 3);
        assertThat(watch.poisoned(slots(0, 1, 2))).isTrue();
        assertThat(watch.deaths()).extracting(PoisonWatch.Death::how)
                .containsExactly(FaultKind.CRASH, FaultKind.HANG, FaultKind.HANG);
        assertThat(watch.verdict(3)).startsWith("request #7 killed or hung all 3 replicas"
                + " (crash: process exited with code 70; hang: no reply within 1s)");
    }

    @Test
    void shouldNeedTheReplacementToHangTooWhenOnlyOneReplicaRuns() {
        hang(0, 3, true, 1);
        assertThat(watch.poisoned(slots(0))).as("one hang of the only replica is not enough").isFalse();
        assertThat(watch.diedOf(0)).as("its replacement must replay #3").isFalse();
        hang(0, 3, true, 2);
        assertThat(watch.poisoned(slots(0))).isTrue();
        assertThat(watch.verdict(1)).startsWith("request #3 hung the replica and its replacement (no reply within 1s)");
    }

    @Test
    void shouldNotCallARequestPoisonWhileAReplicaThatHungHeldLaterRequestsToo() {
        hang(0, 7, false, 1);
        hang(1, 7, false, 2);
        assertThat(watch.poisoned(slots(0, 1))).as("DMR: both may be stuck in #8, not #7").isFalse();
        hang(0, 7, true, 3);
        assertThat(watch.poisoned(slots(0, 1))).isFalse();
        hang(1, 7, true, 4);
        assertThat(watch.poisoned(slots(0, 1))).isTrue();
        assertThat(watch.replicasKilled()).isEqualTo(2);
    }

    @Test
    void shouldSayWhatTheRequestHung() {
        assertThat(PoisonWatch.verdict(7, 3, 3, 3, null, "no reply within 2s")).isEqualTo(
                "request #7 hung all 3 replicas (no reply within 2s); it was skipped (no replica's state includes it) and will not be retried");
        assertThat(PoisonWatch.verdict(7, 2, 2, 3, null, "h")).startsWith("request #7 hung every live replica (2 of 3) (h)");
        assertThat(PoisonWatch.verdict(2, 1, 3, 1, "c", "h"))
                .startsWith("request #2 killed or hung the replica and 2 replacements (crash: c; hang: h)");
    }
}
