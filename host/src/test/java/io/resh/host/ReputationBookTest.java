package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.FaultKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReputationBookTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    private final ReputationBook book = new ReputationBook(3, List.of("a", "b"), List.of(0, 1), Duration.ofMinutes(10),
            0.001, 0.25);

    /** Faults follow the core, not the replica: rotation spreads them over replicas, so only the core crosses. */
    @Test
    void shouldSuspectTheCoreWhoseReplicasKeepFailingNotTheReplicas() {
        boolean suspected = false;
        for (int i = 0; i < 4; i++) {
            suspected = book.fault(i % 3, i % 3 == 1 ? "b" : "a", 1, FaultKind.DIVERGENCE, i * 10 * S);
        }
        assertThat(suspected).isTrue();
        assertThat(book.suspect(1)).isTrue();
        assertThat(book.suspect(0)).isFalse();
        for (int slot = 0; slot < 3; slot++) {
            assertThat(book.slot(slot).score(40 * S)).isGreaterThan(0.25);
        }
        assertThat(book.evidence(1, 40 * S)).contains("3 different replicas");
    }

    @Test
    void shouldNotBlameTheCoreForFaultsHardwareCannotCause() {
        for (int i = 0; i < 10; i++) {
            book.fault(0, "a", 0, FaultKind.START_FAILURE, i * S);
            book.fault(0, "a", 0, FaultKind.CONTRACT_VIOLATION, i * S);
        }
        assertThat(book.suspect(0)).isFalse();
        assertThat(book.core(0).score(10 * S)).isEqualTo(1.0);
        assertThat(book.slot(0).score(10 * S)).isLessThan(0.1);
        assertThat(book.version("a").faults()).isEqualTo(20);
    }

    @Test
    void shouldClearASuspectCoreOnceItsEvidenceHasFaded() {
        for (int i = 0; i < 4; i++) {
            book.fault(i % 3, "a", 1, FaultKind.CRASH, 0);
        }
        assertThat(book.suspect(1)).isTrue();
        assertThat(book.cleared(TimeUnit.MINUTES.toNanos(5))).isEmpty();
        assertThat(book.cleared(TimeUnit.MINUTES.toNanos(30))).containsExactly(1);
        assertThat(book.suspect(1)).isFalse();
    }
}
