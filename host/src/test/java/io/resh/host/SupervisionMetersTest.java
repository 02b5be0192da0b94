package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SupervisionMetersTest {
    private static GroupStatus status(double coreScore, boolean suspect, boolean quarantined, String redundancy) {
        return status(coreScore, suspect, quarantined, redundancy, Map.of());
    }

    private static GroupStatus status(double coreScore, boolean suspect, boolean quarantined, String redundancy,
                                      Map<String, Long> counters) {
        SupervisionStatus sup = new SupervisionStatus(redundancy, Duration.ZERO,
                List.of(new SupervisionStatus.Core(0, 1.0, 0, false, List.of(0, 2)),
                        new SupervisionStatus.Core(1, coreScore, 4, suspect, List.of())),
                List.of(new SupervisionStatus.Version("jdk", 0.5, 1, 0, quarantined, List.of(0))), 0);
        return new GroupStatus("g", 3, 1, null, 0, 0, "", 0, 0, counters, List.of(), sup);
    }

    @Test
    void shouldExportCoreAndVersionTrustFromTheLatestStatus() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicReference<GroupStatus> latest = new AtomicReference<>(status(1.0, false, false, "dmr"));
        SupervisionMeters.bind(registry, latest.get(), latest::get);
        assertThat(registry.get("resh.core.reputation").tag("cpu", "1").gauge().value()).isEqualTo(1.0);
        latest.set(status(0.2, true, true, "tmr"));
        assertThat(registry.get("resh.core.reputation").tag("cpu", "1").gauge().value()).isEqualTo(0.2);
        assertThat(registry.get("resh.core.suspect").tag("cpu", "1").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("resh.core.suspect").tag("cpu", "0").gauge().value()).isZero();
        assertThat(registry.get("resh.version.quarantined").tag("version", "jdk").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("resh.version.reputation").tag("version", "jdk").gauge().value()).isEqualTo(0.5);
        assertThat(registry.get("resh.redundancy.escalated").tag("group", "g").gauge().value()).isEqualTo(1.0);
        latest.set(null);
        assertThat(registry.get("resh.core.reputation").tag("cpu", "0").gauge().value()).isNaN();
    }

    @Test
    void shouldCountSkippedRequestsOfDeath() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicReference<GroupStatus> latest = new AtomicReference<>(status(1.0, false, false, "tmr"));
        SupervisionMeters.bind(registry, latest.get(), latest::get);
        assertThat(registry.get("resh.poison.requests").tag("group", "g").functionCounter().count()).isZero();
        latest.set(status(1.0, false, false, "tmr", Map.of("poison-requests", 2L)));
        assertThat(registry.get("resh.poison.requests").tag("group", "g").functionCounter().count()).isEqualTo(2.0);
    }

    /** The admin server has no status while a group does not answer; the counter fell to 0, which reads as a reset. */
    @Test
    void shouldKeepTheLastCountWhileThereIsNoStatusAndGaugesHaveNoValue() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicReference<GroupStatus> latest = new AtomicReference<>(status(1.0, false, false, "tmr", Map.of("poison-requests", 2L)));
        SupervisionMeters.bind(registry, latest.get(), latest::get);
        assertThat(registry.get("resh.poison.requests").tag("group", "g").functionCounter().count()).isEqualTo(2.0);
        latest.set(null);
        assertThat(registry.get("resh.poison.requests").tag("group", "g").functionCounter().count()).isEqualTo(2.0);
        assertThat(registry.get("resh.redundancy.escalated").tag("group", "g").gauge().value()).isNaN();
        latest.set(status(1.0, false, false, "tmr", Map.of("poison-requests", 3L)));
        assertThat(registry.get("resh.poison.requests").tag("group", "g").functionCounter().count()).isEqualTo(3.0);
    }
}
