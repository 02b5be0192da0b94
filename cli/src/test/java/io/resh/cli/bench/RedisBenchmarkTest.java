package io.resh.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** redis-benchmark's --csv output, as redis-benchmark 7 prints it. */
class RedisBenchmarkTest {
    @Test
    void shouldReadEveryTestLineOfTheCsv() {
        List<RedisBenchmark.Result> r = RedisBenchmark.parse(List.of(
                "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\",\"p95_latency_ms\","
                        + "\"p99_latency_ms\",\"max_latency_ms\"",
                "\"SET\",\"162601.62\",\"0.196\",\"0.048\",\"0.191\",\"0.279\",\"0.335\",\"2.831\"",
                "\"GET\",\"133333.33\",\"0.258\",\"0.056\",\"0.191\",\"0.287\",\"3.511\",\"7.863\""), 1000);

        assertThat(r).containsExactly(new RedisBenchmark.Result("SET", 1000, 162601.62, 0.191, 0.335, 2.831),
                new RedisBenchmark.Result("GET", 1000, 133333.33, 0.191, 3.511, 7.863));
    }

    @Test
    void shouldSayWhatRedisBenchmarkPrintedWhenThereAreNoResults() {
        assertThatThrownBy(() -> RedisBenchmark.parse(List.of("Could not connect to Redis at 127.0.0.1:1: Connection refused"), 10))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Connection refused");
    }
}
