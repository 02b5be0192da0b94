package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RedundancyPolicyTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    @Test
    void shouldEscalateOnTheFirstDivergenceAndDropBackAfterAQuietPeriod() {
        RedundancyPolicy p = new RedundancyPolicy(true, 30 * S);
        assertThat(p.mode()).isEqualTo(RedundancyPolicy.Mode.DMR);
        assertThat(p.divergence(10 * S)).isTrue();
        assertThat(p.mode()).isEqualTo(RedundancyPolicy.Mode.TMR);
        assertThat(p.divergence(11 * S)).isFalse(); // already escalated
        assertThat(p.shouldDeescalate(30 * S, true)).isFalse();
        p.fault(35 * S); // any fault restarts the quiet period
        assertThat(p.shouldDeescalate(60 * S, true)).isFalse();
        assertThat(p.shouldDeescalate(65 * S, true)).isTrue();
        assertThat(p.mode()).isEqualTo(RedundancyPolicy.Mode.DMR);
    }

    @Test
    void shouldStayEscalatedWhileAReplicaIsStillRecovering() {
        RedundancyPolicy p = new RedundancyPolicy(true, 30 * S);
        p.divergence(0);
        assertThat(p.shouldDeescalate(100 * S, false)).isFalse();
        assertThat(p.shouldDeescalate(120 * S, true)).isFalse(); // quiet counts from when everyone is back
        assertThat(p.shouldDeescalate(130 * S, true)).isTrue();
    }

    @Test
    void shouldNeverSwitchAFixedGroup() {
        RedundancyPolicy p = new RedundancyPolicy(false, S);
        assertThat(p.divergence(0)).isFalse();
        assertThat(p.shouldDeescalate(100 * S, true)).isFalse();
    }
}
