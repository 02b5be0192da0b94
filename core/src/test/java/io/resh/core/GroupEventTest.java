package io.resh.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupEventTest {

    @Test
    void shouldSayAnIdleFaultHappenedAfterTheLastRequestNotAtTheNext() {
        assertThat(new GroupEvent.FaultDetected(0, "kv", 1, -1, 41, FaultKind.CRASH, "exited").at()).isEqualTo("at #41");
        assertThat(new GroupEvent.FaultDetected(0, "kv", 1, -1, 40, FaultKind.CRASH, "exited", Map.of(), true).at())
                .isEqualTo("while idle, after request #40");
        assertThat(GroupEvent.FaultDetected.where(0, true)).isEqualTo("while idle, before any request");
    }

    @Test
    void shouldSayAStartFailureHappenedWhileStartingNotAtARequest() {
        assertThat(new GroupEvent.FaultDetected(0, "kv", 1, -1, 0, FaultKind.START_FAILURE, "no hello within 30 s").at())
                .isEqualTo("while starting");
        assertThat(new GroupEvent.FaultDetected(0, "kv", 1, -1, 200, FaultKind.START_FAILURE,
                "restore of checkpoint #200 failed: EOFException").at()).isEqualTo("while starting");
    }

    @Test
    void shouldParseAFilterOfEventTypesAndRefuseAnUnknownOneListingTheKnown() {
        assertThat(GroupEvent.parseTypes("fault, recovered,fault")).containsExactly("fault", "recovered");
        assertThatThrownBy(() -> GroupEvent.parseTypes("fault,faults"))
                .hasMessage("expected event types among " + String.join(", ", GroupEvent.types()) + ", got 'faults'")
                .hasMessageContaining("fault, injected, recovery-started");
        assertThatThrownBy(() -> GroupEvent.parseTypes("")).hasMessageStartingWith("expected event types among fault,")
                .hasMessageEndingWith(", got an empty one in ''");
    }
}
