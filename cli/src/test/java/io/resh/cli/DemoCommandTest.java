package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.host.GroupStatus;
import io.resh.host.ReplicaStatus;
import io.resh.host.SlotState;
import io.resh.host.SupervisionStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
    private static GroupStatus group(SlotState... states) {
        List<ReplicaStatus> replicas = new ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            replicas.add(new ReplicaStatus(i, states[i], states[i] == SlotState.DORMANT ? -1 : 100 + i, -1, 1, "jdk",
                    10, 0, "", 0, "", 1.0));
        }
        return new GroupStatus("aes-demo", states.length, 1, null, 10, 0, "", 10, 0, Map.of(), replicas,
                new SupervisionStatus("dmr", Duration.ZERO, List.of(), List.of(), 0));
    }

    @Test
    void shouldCountTheDormantSpareOfAnAdaptiveGroupAsSettled() {
        assertThat(DemoCommand.allActive(group(SlotState.ACTIVE, SlotState.ACTIVE, SlotState.DORMANT))).isTrue();
        assertThat(DemoCommand.allActive(group(SlotState.ACTIVE, SlotState.ACTIVE, SlotState.ACTIVE))).isTrue();
    }

    @Test
    void shouldWaitForAReplicaThatIsStillRecovering() {
        assertThat(DemoCommand.allActive(group(SlotState.ACTIVE, SlotState.CATCHING_UP, SlotState.DORMANT))).isFalse();
        assertThat(DemoCommand.allActive(group(SlotState.BACKING_OFF, SlotState.ACTIVE, SlotState.ACTIVE))).isFalse();
    }
}
