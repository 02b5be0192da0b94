package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.cluster.RegisterHistory.Kind;
import io.resh.cluster.RegisterHistory.Op;
import io.resh.cluster.RegisterHistory.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegisterHistoryTest {
    private static Op w(int p, String v, long from, long to) {
        return new Op(p, "k", Kind.WRITE, v, from, to, Outcome.OK);
    }

    private static Op r(int p, String v, long from, long to) {
        return new Op(p, "k", Kind.READ, v, from, to, Outcome.OK);
    }

    @Test
    void shouldAcceptConcurrentWritesReadInEitherOrder() {
        assertThat(RegisterHistory.linearizable(List.of(w(1, "a", 0, 10), w(2, "b", 1, 9), r(3, "a", 11, 12))))
                .isTrue();
        assertThat(RegisterHistory.linearizable(List.of(w(1, "a", 0, 10), w(2, "b", 1, 9), r(3, "b", 11, 12))))
                .isTrue();
    }

    @Test
    void shouldRejectAStaleReadAfterACompletedWrite() {
        assertThat(RegisterHistory.linearizable(List.of(w(1, "a", 0, 1), w(1, "b", 2, 3), r(2, "a", 4, 5)))).isFalse();
    }

    @Test
    void shouldRejectALostAcknowledgedWrite() {
        assertThat(RegisterHistory.linearizable(List.of(w(1, "a", 0, 1), r(2, null, 2, 3)))).isFalse();
    }

    @Test
    void shouldRejectReadsThatGoBackInTime() {
        assertThat(RegisterHistory.linearizable(List.of(w(1, "a", 0, 100), w(2, "b", 0, 100), r(3, "a", 10, 11),
                r(3, "b", 12, 13), r(4, "a", 14, 15)))).isFalse();
    }

    @Test
    void shouldLetAnUnknownWriteTakeEffectLateOrNever() {
        Op unknown = new Op(1, "k", Kind.WRITE, "u", 0, 0, Outcome.UNKNOWN);
        assertThat(RegisterHistory.linearizable(List.of(w(2, "a", 0, 1), unknown, r(3, "a", 5, 6), r(3, "u", 7, 8))))
                .isTrue();
        assertThat(RegisterHistory.linearizable(List.of(w(2, "a", 0, 1), unknown, r(3, "a", 5, 6)))).isTrue();
        assertThat(RegisterHistory.linearizable(List.of(w(2, "a", 0, 1), unknown, r(3, "u", 5, 6), r(3, "a", 7, 8))))
                .isFalse();
    }

    @Test
    void shouldReportTheViolatingKey() {
        RegisterHistory h = new RegisterHistory();
        h.add(new Op(1, "x", Kind.WRITE, "a", 0, 1, Outcome.OK));
        h.add(new Op(2, "x", Kind.READ, null, 2, 3, Outcome.OK));
        h.add(new Op(1, "y", Kind.WRITE, "b", 0, 1, Outcome.OK));
        assertThat(h.firstViolation()).startsWith("key x is not linearizable");
    }
}
