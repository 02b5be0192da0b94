package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RestartIntensityTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    /** 3 restarts per slot, 5 per version within 60 s; back-off at most 30 s; quarantine 10 min. */
    private final RestartIntensity intensity = new RestartIntensity(3, 3, 5, 60 * S, 30 * S, 600 * S);

    @Test
    void shouldRestartAtOnceWithinTheLimit() {
        for (int i = 0; i < 3; i++) {
            assertThat(intensity.restarted(0, "v1", i * S).backOff()).isFalse();
        }
    }

    @Test
    void shouldBackOffExponentiallyBeyondTheSlotLimitUpToTheMaximum() {
        for (int i = 0; i < 3; i++) {
            intensity.restarted(0, "v1", i * S);
        }
        assertThat(intensity.restarted(0, "v1", 3 * S).backoffNanos()).isEqualTo(S);
        assertThat(intensity.backoff(0)).isEqualTo(2 * S);
        assertThat(intensity.backoff(0)).isEqualTo(4 * S);
        for (int i = 0; i < 10; i++) {
            intensity.backoff(0);
        }
        assertThat(intensity.backoff(0)).isEqualTo(30 * S);
        intensity.recovered(0);
        assertThat(intensity.backoff(0)).isEqualTo(S);
    }

    @Test
    void shouldForgetRestartsOutsideTheWindow() {
        for (int i = 0; i < 3; i++) {
            intensity.restarted(0, "v1", i * S);
        }
        assertThat(intensity.restarted(0, "v1", 100 * S).backOff()).isFalse();
    }

    @Test
    void shouldQuarantineAVersionWhoseSlotsTogetherRestartTooOften() {
        // two slots of v1 each stay within their own limit, but together exceed the version's
        RestartIntensity.Verdict last = null;
        for (int i = 0; i < 6; i++) {
            last = intensity.restarted(i % 2, "v1", i * S);
        }
        assertThat(last.quarantine()).isTrue();
        assertThat(last.versionRestarts()).isEqualTo(6);
        assertThat(intensity.quarantined("v1", 10 * S)).isTrue();
        assertThat(intensity.quarantined("v2", 10 * S)).isFalse();
        assertThat(intensity.released(100 * S)).isEmpty();
        assertThat(intensity.released(606 * S)).containsExactly("v1");
        assertThat(intensity.quarantined("v1", 606 * S)).isFalse();
    }

    /** A crash loop never becomes a fork bomb: over an hour, a slot that always crashes starts a bounded number of times. */
    @Test
    void shouldBoundTheStartsOfACrashLoop() {
        long now = 0;
        int starts = 0;
        while (now < 3600 * S) {
            starts++;
            now += S / 2; // the process crashes half a second after each start
            RestartIntensity.Verdict v = intensity.restarted(0, "v1", now);
            now += v.backoffNanos();
        }
        assertThat(starts).isLessThan(3600 / 30 + 30);
    }

    @Test
    void shouldNotCountForgivenRestartsTowardBackOffOrQuarantine() {
        for (int i = 0; i < 3; i++) {
            intensity.restarted(0, "v1", i * S);
        }
        intensity.restarted(1, "v1", 2 * S);
        // restarts 1 s and 2 s of slot 0 were a request's doing, not the slot's
        intensity.forgive(0, "v1", S);
        intensity.forgive(0, "v1", S);
        assertThat(intensity.slotRestarts(0, 3 * S)).isEqualTo(1);
        assertThat(intensity.recentRestarts("v1", 3 * S)).isEqualTo(2);
        assertThat(intensity.restarted(0, "v1", 3 * S).backOff()).isFalse();
        assertThat(intensity.restarted(0, "v1", 4 * S).backOff()).isFalse();
        assertThat(intensity.restarted(0, "v1", 5 * S).backOff()).as("4 restarts of slot 0 now, over 3").isTrue();
    }

    @Test
    void shouldForgiveOnlyARestartAtOrAfterTheGivenTime() {
        intensity.restarted(0, "v1", S);
        intensity.forgive(0, "v1", 2 * S);
        assertThat(intensity.slotRestarts(0, 2 * S)).isEqualTo(1);
        assertThat(intensity.recentRestarts("v1", 2 * S)).isEqualTo(1);
        intensity.forgive(2, "never-seen", 0);
        assertThat(intensity.recentRestarts("never-seen", 2 * S)).isZero();
    }
}
