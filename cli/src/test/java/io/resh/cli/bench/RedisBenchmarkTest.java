package io.resh.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
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

    @Test
    void shouldReportLrangeWithoutTheLpushesThatFilledTheList() {
        RedisBenchmark large = new RedisBenchmark(20, 32, 2000, RedisBenchmark.LRANGE_100, Path.of("."));
        List<RedisBenchmark.Result> r = large.reportedOf(RedisBenchmark.parse(List.of(
                "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\",\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"",
                "\"LPUSH (needed to benchmark LRANGE)\",\"199999.98\",\"0.423\",\"0.224\",\"0.447\",\"0.535\",\"0.535\",\"0.535\"",
                "\"LRANGE_100 (first 100 elements)\",\"3533.33\",\"34.299\",\"5.712\",\"39.359\",\"39.519\",\"39.519\",\"39.519\""),
                200));
        assertThat(r).containsExactly(new RedisBenchmark.Result("LRANGE_100", 200, 3533.33, 39.359, 39.519, 39.519));
        assertThat(large.describe()).isEqualTo("redis-benchmark -c 20 -P 32 -d 2000 -t lrange_100");
        assertThat(new RedisBenchmark(50, 1, 64, Path.of(".")).describe()).isEqualTo("redis-benchmark -c 50 -d 64 -r 100000 -t set,get");
    }
}
