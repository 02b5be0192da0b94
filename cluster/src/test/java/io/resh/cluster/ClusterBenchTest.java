package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.host.testing.CounterService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("e2e")
class ClusterBenchTest {
    @Test
    void shouldMeasureABoundedLoadOnALoopbackCluster() {
        ClusterBench.Result r = ClusterBench.run(new ClusterBench.Options(1, 3, CounterService.class.getName(),
                "add:1".getBytes(StandardCharsets.UTF_8), 500, 16, Duration.ofSeconds(20), 100, null));
        assertThat(r.completed()).isEqualTo(500);
        assertThat(r.errors()).isZero();
        assertThat(r.throughput()).isPositive();
        assertThat(r.p99Micros()).isGreaterThanOrEqualTo(r.p50Micros()).isPositive();
    }
}
