package io.resh.core;

import static org.assertj.core.api.Assertions.assertThat;

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
}
