package io.resh.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BallotTest {

    private static byte[] v(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void shouldReleaseAsSoonAsTwoOfThreeAgree() {
        Ballot b = new Ballot(new Quorum(3));
        assertThat(b.cast(0, v("x"), 3)).isEqualTo(Ballot.Outcome.PENDING);
        assertThat(b.cast(2, v("x"), 3)).isEqualTo(Ballot.Outcome.DECIDED);
        assertThat(b.decided()).isEqualTo(v("x"));
        assertThat(b.cast(1, v("y"), 3)).isEqualTo(Ballot.Outcome.DISSENTS);
        assertThat(b.dissenters()).containsExactly(1);
    }

    /** A replacement's reply is judged only against values other replicas vouched for. */
    @Test
    void shouldSayWhetherAnotherReplicaVouchesForTheDecidedValue() {
        Ballot tmr = new Ballot(new Quorum(3));
        tmr.cast(0, v("x"), 3);
        tmr.cast(1, v("x"), 3);
        tmr.withdraw(0);
        assertThat(tmr.cast(0, v("y"), 3)).isEqualTo(Ballot.Outcome.DISSENTS);
        assertThat(tmr.decidedByOthersThan(0)).isTrue();

        Ballot solo = new Ballot(new Quorum(1));
        assertThat(solo.cast(0, v("x"), 1)).isEqualTo(Ballot.Outcome.DECIDED);
        solo.withdraw(0);
        assertThat(solo.cast(0, v("y"), 1)).isEqualTo(Ballot.Outcome.DISSENTS);
        assertThat(solo.decidedByOthersThan(0)).isFalse();
    }

    @Test
    void shouldKeepOneArrayForEqualRepliesAndTheDissentersOwn() {
        Ballot b = new Ballot(new Quorum(5));
        byte[] bad = v("bad");
        b.cast(0, v("good"), 5);
        b.cast(1, bad, 5);
        b.cast(2, v("good"), 5);
        assertThat(b.cast(3, v("good"), 5)).isEqualTo(Ballot.Outcome.DECIDED);
        assertThat(b.cast(4, v("good"), 5)).isEqualTo(Ballot.Outcome.AGREES);
        for (int agreeing : new int[] {0, 2, 3, 4}) {
            assertThat(b.replyOf(agreeing)).isSameAs(b.decided());
        }
        assertThat(b.replyOf(1)).isSameAs(bad);
        assertThat(b.dissenters()).containsExactly(1);
    }

    @Test
    void shouldNameAnEarlyDissenterOnceTheDecisionIsMade() {
        Ballot b = new Ballot(new Quorum(3));
        b.cast(1, v("bad"), 3);
        b.cast(0, v("good"), 3);
        assertThat(b.cast(2, v("good"), 3)).isEqualTo(Ballot.Outcome.DECIDED);
        assertThat(b.dissenters()).containsExactly(1);
    }

    @Test
    void shouldRequireBothReplicasToAgreeInDmr() {
        Ballot b = new Ballot(new Quorum(2));
        assertThat(b.cast(0, v("x"), 2)).isEqualTo(Ballot.Outcome.PENDING);
        assertThat(b.cast(1, v("y"), 2)).isEqualTo(Ballot.Outcome.UNDECIDABLE);
        assertThat(b.decided()).isNull();
    }

    @Test
    void shouldBeUndecidableWhenThreeReplicasAllDiffer() {
        Ballot b = new Ballot(new Quorum(3));
        b.cast(0, v("a"), 3);
        b.cast(1, v("b"), 3);
        assertThat(b.cast(2, v("c"), 3)).isEqualTo(Ballot.Outcome.UNDECIDABLE);
    }

    @Test
    void shouldAcceptAFreshCastAfterAWithdrawal() {
        Ballot b = new Ballot(new Quorum(3));
        b.cast(0, v("a"), 3);
        b.withdraw(0);
        assertThat(b.hasCast(0)).isFalse();
        assertThat(b.cast(0, v("a"), 3)).isEqualTo(Ballot.Outcome.PENDING);
    }

    @Test
    void shouldRejectASecondCastFromTheSameReplica() {
        Ballot b = new Ballot(new Quorum(3));
        b.cast(0, v("a"), 3);
        assertThatThrownBy(() -> b.cast(0, v("a"), 3)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("replica 0");
    }

    @Test
    void shouldComputeQuorumArithmetic() {
        assertThat(new Quorum(1).agreementNeeded()).isEqualTo(1);
        assertThat(new Quorum(2).agreementNeeded()).isEqualTo(2);
        assertThat(new Quorum(3).agreementNeeded()).isEqualTo(2);
        assertThat(new Quorum(4).agreementNeeded()).isEqualTo(2);
        assertThat(new Quorum(5).agreementNeeded()).isEqualTo(3);
        assertThat(new Quorum(7).faultsMasked()).isEqualTo(3);
        assertThatThrownBy(() -> new Quorum(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A reply pattern: N replicas, some faulty ones answering wrong values, cast in a random order. */
    record Scenario(int n, int faulty, long seed, boolean colluding) {
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Combinators.combine(Arbitraries.integers().between(1, 9), Arbitraries.integers().between(0, 9),
                Arbitraries.longs(), Arbitraries.of(true, false)).as((n, f, seed, c) -> new Scenario(n, f % (n + 1), seed, c));
    }

    /**
     * The safety property: whatever the arrival order and whoever is faulty, a released value was cast by
     * at least f+1 replicas (both, for DMR); with at most f faulty replicas (and N ≠ 2) the released
     * value is the correct one and every faulty replica that answered wrong is named.
     */
    @Property(tries = 2000)
    void shouldNeverReleaseAValueFewerThanFPlusOneReplicasCast(@ForAll("scenarios") Scenario s) {
        Quorum q = new Quorum(s.n());
        Random random = new Random(s.seed());
        byte[] correct = v("correct");
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < s.n(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        List<Integer> faultyIds = new ArrayList<>(order.subList(0, s.faulty()));
        Collections.shuffle(order, random);
        byte[][] replies = new byte[s.n()][];
        for (int i = 0; i < s.n(); i++) {
            replies[i] = faultyIds.contains(i) ? v(s.colluding() ? "wrong" : "wrong-" + i) : correct;
        }
        Ballot b = new Ballot(q);
        byte[] released = null;
        for (int replica : order) {
            Ballot.Outcome o = b.cast(replica, replies[replica], s.n());
            if (o == Ballot.Outcome.DECIDED) {
                released = b.decided();
                int agreeing = 0;
                for (int i = 0; i < s.n(); i++) {
                    agreeing += b.hasCast(i) && Arrays.equals(b.replyOf(i), released) ? 1 : 0;
                }
                assertThat(agreeing).isGreaterThanOrEqualTo(q.agreementNeeded());
            }
        }
        if (s.faulty() <= q.faultsMasked() && !q.detectOnly()) {
            assertThat(released).isEqualTo(correct);
            for (int f : faultyIds) {
                assertThat(b.dissenters()).contains(f);
            }
        }
        if (q.detectOnly() && s.faulty() == 1) {
            assertThat(released).isNull();
            assertThat(b.isUndecidable()).isTrue();
        }
        if (s.faulty() == 0) {
            assertThat(released).isEqualTo(correct);
            assertThat(b.dissenters()).isEmpty();
        }
    }

    /** Removing expected voters (dead replicas) never makes an undecided ballot release anything. */
    @Property(tries = 500)
    void shouldOnlyDeclareUndecidableWhenNoValueCanStillWin(@ForAll @IntRange(min = 3, max = 7) int n,
                                                            @ForAll long seed) {
        Quorum q = new Quorum(n);
        Random random = new Random(seed);
        Ballot b = new Ballot(q);
        int distinct = 1 + random.nextInt(n);
        int castCount = random.nextInt(n + 1);
        int[] counts = new int[distinct];
        for (int i = 0; i < castCount; i++) {
            int value = random.nextInt(distinct);
            counts[value]++;
            if (b.cast(i, v("v" + value), n) == Ballot.Outcome.DECIDED) {
                return;
            }
        }
        int best = Arrays.stream(counts).max().orElse(0);
        Ballot.Outcome o = b.recheckDecidable(n);
        if (best + (n - castCount) < q.agreementNeeded()) {
            assertThat(o).isEqualTo(Ballot.Outcome.UNDECIDABLE);
        } else {
            assertThat(o).isEqualTo(Ballot.Outcome.PENDING);
        }
    }
}
