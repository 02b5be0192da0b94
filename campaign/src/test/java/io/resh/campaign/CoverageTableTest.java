package io.resh.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.InjectedFault;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoverageTableTest {
    private final CoverageTable table = CoverageTable.of(Records.mixed());

    @Test
    void shouldHaveOneRowPerKindPresentInEnumOrder() {
        assertThat(table.rows()).extracting(CoverageTable.Row::kind).containsExactly(InjectedFault.CRASH, InjectedFault.SLOW,
                InjectedFault.REPLY_CORRUPTION, InjectedFault.STATE_CORRUPTION);
    }

    @Test
    void shouldCountEveryOutcomeOfAKind() {
        CoverageTable.Row reply = table.rows().get(2);
        assertThat(reply.injections()).isEqualTo(3);
        assertThat(reply.count(Outcome.SILENT_DATA_CORRUPTION)).isEqualTo(1);
        assertThat(reply.count(Outcome.DETECTED_CORRECTED)).isEqualTo(2);
        assertThat(reply.count(Outcome.LATENT)).isZero();
    }

    @Test
    void shouldLeaveMaskedFaultsOutOfTheDetectionShare() {
        CoverageTable.Row total = table.total();
        assertThat(total.injections()).isEqualTo(13);
        assertThat(total.effective()).isEqualTo(11);
        assertThat(total.detected()).isEqualTo(9);
        assertThat(total.detectedShare().successes()).isEqualTo(9);
        assertThat(total.detectedShare().trials()).isEqualTo(11);
        assertThat(total.correctedShare().successes()).isEqualTo(9);
        assertThat(total.noSdcShare().successes()).isEqualTo(12);
        assertThat(total.noSdcShare().trials()).isEqualTo(13);
        assertThat(total.label()).isEqualTo("total");
    }

    @Test
    void shouldSayNotApplicableForAKindThatWasAlwaysMasked() {
        CoverageTable.Row slow = table.rows().get(1);
        assertThat(slow.effective()).isZero();
        assertThat(slow.detectedShare().format()).isEqualTo("n/a");
        assertThat(slow.noSdcShare().format()).startsWith("100.0%");
    }

    @Test
    void shouldBuildAnEmptyTableFromNoRecords() {
        CoverageTable empty = CoverageTable.of(List.of());
        assertThat(empty.rows()).isEmpty();
        assertThat(empty.total().injections()).isZero();
    }
}
