package io.resh.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class ReputationTest {
    private static final long MINUTE = Duration.ofMinutes(1).toNanos();

    @Test
    void shouldStartFullyTrustedAndHalveWithOneFreshFault() {
        Reputation r = new Reputation(Duration.ofMinutes(10), 0.001);
        assertThat(r.score(0)).isEqualTo(1.0);
        r.fault(0, 1);
        assertThat(r.score(0)).isEqualTo(0.5);
        assertThat(r.faults()).isEqualTo(1);
    }

    @Test
    void shouldFadeOldEvidenceWithTheHalfLife() {
        Reputation r = new Reputation(Duration.ofMinutes(10), 0);
        r.fault(0, 1);
        assertThat(r.evidence(10 * MINUTE)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.evidence(20 * MINUTE)).isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.score(300 * MINUTE)).isGreaterThan(0.999);
    }

    @Test
    void shouldAccumulateNewEvidenceFasterThanItFades() {
        Reputation r = new Reputation(Duration.ofMinutes(10), 0);
        for (int i = 0; i < 4; i++) {
            r.fault(i * MINUTE, 1);
        }
        assertThat(r.score(4 * MINUTE)).isLessThan(0.25);
    }

    @Test
    void shouldTakeBackWhatIsLeftOfAForgivenFaultAndKeepTheOthers() {
        Reputation r = new Reputation(Duration.ofMinutes(10), 0);
        r.fault(0, 1); // a fault of its own
        r.fault(10 * MINUTE, 1); // one that turns out not to be its doing
        r.forgive(10 * MINUTE, 1, 20 * MINUTE);
        assertThat(r.evidence(20 * MINUTE)).as("only the first fault, two half-lives old").isCloseTo(0.25,
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.faults()).as("still counted as faults seen").isEqualTo(2);
        r.forgive(0, 5, 20 * MINUTE);
        assertThat(r.score(20 * MINUTE)).as("never more than full trust").isEqualTo(1.0);
    }

    @Test
    void shouldLetCorrectVotesEarnTrustBack() {
        Reputation r = new Reputation(Duration.ofDays(365), 0.001);
        r.fault(0, 1);
        for (int i = 0; i < 500; i++) {
            r.vote();
        }
        assertThat(r.evidence(1)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-6));
        for (int i = 0; i < 600; i++) {
            r.vote();
        }
        assertThat(r.score(2)).isEqualTo(1.0);
        assertThat(r.votes()).isEqualTo(1100);
    }

    @Test
    void shouldRejectANonsenseHalfLife() {
        assertThatThrownBy(() -> new Reputation(Duration.ZERO, 0)).hasMessageContaining("half-life");
    }

    /** Self-stabilization: whatever the internal state was corrupted to, the score is sane and recovers. */
    @Property(tries = 300)
    void shouldStabilizeFromAnyCorruptedState(@ForAll double evidence, @ForAll long asOf,
                                              @ForAll @LongRange(min = -1_000_000, max = 1_000_000) long pending) {
        Reputation r = new Reputation(Duration.ofMinutes(1), 0.001);
        r.corrupt(evidence, asOf, pending);
        double now = r.score(0);
        assertThat(now).isBetween(0.0, 1.0).isNotNaN();
        // at most MAX_EVIDENCE is left; 30 half-lives shrink it below 1
        assertThat(r.score(30 * MINUTE)).isGreaterThan(0.5);
    }
}
