package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RejuvenationScheduleTest {
    private static final long MIN = Duration.ofMinutes(1).toNanos();
    private static final boolean[] ALL = {true, true, true};

    @Test
    void shouldBeOffByDefault() {
        RejuvenationSchedule s = new RejuvenationSchedule(Duration.ZERO, 0);
        assertThat(s.due(1000 * MIN, ALL, false, 2)).isEqualTo(-1);
    }

    @Test
    void shouldReplaceOneReplicaPerPeriodRoundRobin() {
        RejuvenationSchedule s = new RejuvenationSchedule(Duration.ofMinutes(5), 0);
        assertThat(s.due(4 * MIN, ALL, false, 2)).isEqualTo(-1);
        List<Integer> order = new ArrayList<>();
        for (long t = 5 * MIN; t <= 20 * MIN; t += 5 * MIN) {
            int slot = s.due(t, ALL, false, 2);
            order.add(slot);
            s.started(slot, t);
        }
        assertThat(order).containsExactly(0, 1, 2, 0);
    }

    @Test
    void shouldNeverDropBelowAQuorumNorReplaceTwoAtOnce() {
        RejuvenationSchedule s = new RejuvenationSchedule(Duration.ofMinutes(1), 0);
        assertThat(s.due(2 * MIN, new boolean[] {true, false, true}, true, 2)).isEqualTo(-1);
        assertThat(s.due(2 * MIN, new boolean[] {true, false, true}, false, 2)).isEqualTo(-1);
        assertThat(s.due(2 * MIN, ALL, true, 2)).isEqualTo(-1);
        // DMR needs both replicas to answer: it is never rejuvenated
        assertThat(s.due(2 * MIN, new boolean[] {true, true}, false, 2)).isEqualTo(-1);
        assertThat(s.due(2 * MIN, ALL, false, 2)).isZero();
    }

    @Test
    void shouldApplyANewPeriodFromNow() {
        RejuvenationSchedule s = new RejuvenationSchedule(Duration.ZERO, 0);
        s.setPeriod(Duration.ofMinutes(2), 10 * MIN);
        assertThat(s.due(11 * MIN, ALL, false, 2)).isEqualTo(-1);
        assertThat(s.due(12 * MIN, ALL, false, 2)).isZero();
        assertThat(s.period()).isEqualTo(Duration.ofMinutes(2));
    }
}
