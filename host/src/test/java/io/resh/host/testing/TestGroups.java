package io.resh.host.testing;

import io.resh.core.config.GroupConfig;
import java.time.Duration;
import java.util.List;

/** Group configurations tuned for tests: fast-starting JVMs and short deadlines. */
public final class TestGroups {
    /** Small heaps and C1 only: a replica JVM boots in a fraction of a second. */
    public static final List<String> FAST_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx128m",
            "-Xshare:auto", "-XX:-UsePerfData");

    private TestGroups() {
    }

    /** A group of {@code n} {@link CounterService} replicas with test timings. */
    public static GroupConfig.Builder counter(String name, int n) {
        return of(name, n, CounterService.class.getName());
    }

    public static GroupConfig.Builder of(String name, int n, String serviceClass) {
        return GroupConfig.builder(name).replicas(n).service(serviceClass).jvmArgs(FAST_JVM)
                .deadline(Duration.ofMillis(1500)).heartbeatInterval(Duration.ofMillis(100))
                .heartbeatTimeout(Duration.ofMillis(1000)).startTimeout(Duration.ofSeconds(20)).seed(42L)
                .checkpointEvery(100);
    }
}
