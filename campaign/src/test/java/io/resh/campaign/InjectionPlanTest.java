package io.resh.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.core.InjectedFault;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class InjectionPlanTest {
    private static final List<InjectedFault> ALL = List.of(InjectedFault.values());

    private static InjectionPlan plan(long seed) {
        return InjectionPlan.generate(seed, 1000, ALL, 3, 20, 1200);
    }

    @Test
    void shouldDrawTheSamePlanFromTheSameSeed() {
        assertThat(plan(42).injections()).isEqualTo(plan(42).injections());
    }

    @Test
    void shouldDrawADifferentPlanFromADifferentSeed() {
        assertThat(plan(42).injections()).isNotEqualTo(plan(43).injections());
    }

    @Test
    void shouldGiveTheSameConfigurationTheSamePlan() {
        CampaignConfig a = CampaignConfig.builder(ServiceKind.AES).injections(300).seed(9).build();
        CampaignConfig b = CampaignConfig.builder(ServiceKind.AES).injections(300).seed(9).build();
        assertThat(a.plan().injections()).isEqualTo(b.plan().injections());
        assertThat(a.plan().seed()).isEqualTo(9);
    }

    @Test
    void shouldSpreadInjectionsEvenlyOverTheKinds() {
        Map<InjectedFault, Integer> counts = plan(1).countsByKind();
        assertThat(counts).containsOnlyKeys(ALL);
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(142, 143));
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(1000);
    }

    @Test
    void shouldUseOnlyTheRequestedKinds() {
        InjectionPlan p = InjectionPlan.generate(5, 50, List.of(InjectedFault.CRASH, InjectedFault.HANG, InjectedFault.CRASH), 3, 10, 800);
        assertThat(p.countsByKind()).containsOnlyKeys(InjectedFault.CRASH, InjectedFault.HANG).containsEntry(InjectedFault.CRASH, 25);
    }

    @Test
    void shouldNotClusterAKindAtTheStart() {
        // In every round of 7 injections each kind appears once.
        List<Injection> first = plan(3).injections().subList(0, 7);
        assertThat(first.stream().map(Injection::kind).distinct()).hasSize(7);
    }

    @Test
    void shouldIndexInjectionsInPlanOrder() {
        List<Injection> all = plan(4).injections();
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).index()).isEqualTo(i);
        }
    }

    @Property(tries = 50)
    void shouldKeepEveryInjectionInsideTheGroupAndTheWindow(@ForAll long seed, @ForAll @IntRange(min = 1, max = 7) int replicas,
                                                            @ForAll @IntRange(min = 1, max = 40) int window) {
        for (Injection i : InjectionPlan.generate(seed, 70, ALL, replicas, window, 1000).injections()) {
            assertThat(i.replica()).isBetween(0, replicas - 1);
            assertThat(i.afterRequest()).isBetween(0, window - 1);
            if (i.kind() == InjectedFault.SLOW) {
                assertThat(i.arg()).isBetween(125L, 1000L);
            }
            if (i.kind() == InjectedFault.REPLY_CORRUPTION) {
                assertThat(i.arg()).isBetween(0L, (1L << 20) - 1);
            }
            if (i.kind() == InjectedFault.CRASH || i.kind() == InjectedFault.HANG || i.kind() == InjectedFault.BYZANTINE) {
                assertThat(i.arg()).isZero();
            }
        }
    }

    @Test
    void shouldTargetEveryReplicaOfAGroup() {
        assertThat(plan(6).injections().stream().map(Injection::replica).distinct()).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void shouldRefuseAPlanThatCannotRun() {
        assertThatThrownBy(() -> InjectionPlan.generate(1, 0, ALL, 3, 20, 1000)).hasMessageContaining("at least 1 injection");
        assertThatThrownBy(() -> InjectionPlan.generate(1, 10, List.of(), 3, 20, 1000)).hasMessageContaining("fault kind");
        assertThatThrownBy(() -> InjectionPlan.generate(1, 10, ALL, 0, 20, 1000)).hasMessageContaining("replica");
        assertThatThrownBy(() -> InjectionPlan.generate(1, 10, ALL, 3, 0, 1000)).hasMessageContaining("1 request");
        assertThatThrownBy(() -> InjectionPlan.generate(1, 10, ALL, 3, 20, 2)).hasMessageContaining("8 ms");
    }
}
