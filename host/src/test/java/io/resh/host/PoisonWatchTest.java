package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class PoisonWatchTest {
    private final PoisonWatch watch = new PoisonWatch();

    private static BitSet slots(int... indexes) {
        BitSet b = new BitSet();
        for (int i : indexes) {
            b.set(i);
        }
        return b;
    }

    @Test
    void shouldCallARequestPoisonOnceEveryLiveReplicaDiedOfItConclusively() {
        watch.died(0, "v", 7, true, 1);
        watch.died(1, "v", 7, true, 2);
        assertThat(watch.poisoned(slots(0, 1, 2))).as("replica 2 may still answer #7").isFalse();
        watch.died(2, "v", 7, true, 3);
        assertThat(watch.poisoned(slots(0, 1, 2))).isTrue();
        assertThat(watch.replicasKilled()).isEqualTo(3);
        assertThat(watch.deaths()).extracting(PoisonWatch.Death::slot).containsExactly(0, 1, 2);
    }

    @Test
    void shouldWaitForAConclusiveDeathOfEverySlotWhenSomeDiedWithLaterRequestsQueued() {
        watch.died(0, "v", 7, false, 1); // it had #7 and #8: it may have died of #8
        watch.died(1, "v", 7, true, 2);
        watch.died(2, "v", 7, true, 3);
        assertThat(watch.poisoned(slots(0, 1, 2))).isFalse();
        assertThat(watch.diedOf(0)).as("its replacement must replay #7 alone").isFalse();
        assertThat(watch.diedOf(1)).as("its replacement need not die of #7 again").isTrue();
        watch.died(0, "v", 7, true, 4);
        assertThat(watch.poisoned(slots(0, 1, 2))).isTrue();
        assertThat(watch.replicasKilled()).isEqualTo(3);
        assertThat(watch.deaths()).hasSize(4);
    }

    @Test
    void shouldIgnoreSlotsThatAreNotLive() {
        watch.died(0, "v", 7, true, 1);
        watch.died(1, "v", 7, true, 2);
        assertThat(watch.poisoned(slots(0, 1))).as("replica 2 is dormant or backing off").isTrue();
    }

    @Test
    void shouldNeedTwoDeathsWhenOnlyOneReplicaRuns() {
        watch.died(0, "v", 3, true, 1);
        assertThat(watch.poisoned(slots(0))).as("one crash of the only replica: maybe the OOM killer").isFalse();
        assertThat(watch.diedOf(0)).as("its replacement must replay #3").isFalse();
        watch.died(0, "v", 3, true, 2);
        assertThat(watch.poisoned(slots(0))).isTrue();
        assertThat(watch.replicasKilled()).isEqualTo(1);
    }

    @Test
    void shouldStartOverWhenAnEarlierRequestIsSuspectedAndIgnoreLaterOnes() {
        watch.died(0, "v", 9, true, 1);
        watch.died(1, "v", 12, true, 2);
        assertThat(watch.suspect()).isEqualTo(9);
        assertThat(watch.deaths()).hasSize(1);
        watch.died(1, "v", 5, true, 3);
        assertThat(watch.suspect()).isEqualTo(5);
        assertThat(watch.deaths()).hasSize(1);
        watch.clear();
        assertThat(watch.suspect()).isZero();
        assertThat(watch.poisoned(slots(0))).isFalse();
    }

    @Test
    void shouldSayWhatTheRequestKilled() {
        assertThat(PoisonWatch.verdict(7, 3, 3, 3, "process exited with code 70")).isEqualTo(
                "request #7 killed all 3 replicas (crash: process exited with code 70); it was not executed and will not be retried");
        assertThat(PoisonWatch.verdict(7, 3, 5, 3, "x")).startsWith("request #7 killed all 3 replicas, 5 processes in all (crash: x)");
        assertThat(PoisonWatch.verdict(7, 2, 2, 3, "x")).startsWith("request #7 killed every live replica (2 of 3) (crash: x)");
        assertThat(PoisonWatch.verdict(2, 1, 2, 1, "x")).startsWith("request #2 killed the replica and its replacement (crash: x)");
        assertThat(PoisonWatch.verdict(2, 1, 3, 1, "x")).startsWith("request #2 killed the replica and 2 replacements (crash: x)");
    }
}
