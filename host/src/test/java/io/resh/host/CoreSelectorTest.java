package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CoreSelectorTest {
    private final CoreSelector two = new CoreSelector(List.of(0, 1));

    @Test
    void shouldSpreadFirstStartsRoundRobin() {
        Map<Integer, Integer> loads = new HashMap<>();
        int a = two.choose(0, -1, loads, Set.of());
        loads.merge(a, 1, Integer::sum);
        int b = two.choose(1, -1, loads, Set.of());
        loads.merge(b, 1, Integer::sum);
        int c = two.choose(2, -1, loads, Set.of());
        assertThat(List.of(a, b, c)).containsExactly(0, 1, 0);
    }

    @Test
    void shouldMoveAReplacedReplicaOffTheCoreItRanOn() {
        // replica 1 ran on core 1 and failed; the others are both on core 0
        assertThat(two.choose(1, 1, Map.of(0, 2), Set.of())).isZero();
        CoreSelector four = new CoreSelector(List.of(0, 1, 2, 3));
        assertThat(four.choose(0, 2, Map.of(0, 1, 1, 1), Set.of())).isEqualTo(3);
    }

    @Test
    void shouldRebalanceByMovingOneReplicaOntoTheIdleCore() {
        assertThat(two.rebalance(Map.of(0, 3), Set.of())).isEqualTo(new CoreSelector.Move(0, 1));
        assertThat(two.rebalance(Map.of(0, 2, 1, 1), Set.of())).isNull();
    }

    @Test
    void shouldAvoidSuspectCoresWhileOthersAreUsable() {
        assertThat(two.choose(0, -1, Map.of(), Set.of(0))).isEqualTo(1);
        assertThat(two.choose(1, 0, Map.of(1, 2), Set.of(0))).isEqualTo(1);
        assertThat(two.rebalance(Map.of(0, 1, 1, 2), Set.of(0))).isEqualTo(new CoreSelector.Move(0, 1));
        assertThat(two.rebalance(Map.of(1, 3), Set.of(0))).isNull();
    }

    @Test
    void shouldStillRunSomewhereWhenEveryCoreIsSuspect() {
        assertThat(two.choose(0, -1, Map.of(), Set.of(0, 1))).isIn(0, 1);
    }
}
