package io.resh.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportBuilderTest {
    @Test
    void shouldNoteHowManyCheckpointsAGroupDeferred() {
        assertThat(ReportBuilder.deferredCheckpoints("N=3 submit", Map.of("checkpoints", 1234L, "checkpoints-deferred", 56L)))
                .contains("N=3 submit: 1,234 checkpoints made, 56 deferred because the one before was still being made"
                        + " (each costs a snapshot in every replica)");
    }

    @Test
    void shouldSayNothingOfAGroupThatDeferredNone() {
        assertThat(ReportBuilder.deferredCheckpoints("N=1 submit", Map.of("checkpoints", 12L, "checkpoints-deferred", 0L)))
                .isEmpty();
        assertThat(ReportBuilder.deferredCheckpoints("N=1 submit", Map.of("checkpoints", 12L))).isEmpty();
    }
}
