package io.resh.host.testing;

import io.resh.core.config.GroupConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Group configurations tuned for tests: fast-starting JVMs and short deadlines.
 *
 * <p>A group given no work directory makes a temporary one and keeps it after a fault, for the post-mortem.
 * Tests inject faults on purpose, so a test that starts a group passes a work directory: its own
 * {@link GroupExtension#dir()}, so that a passing test leaves nothing behind and a failing one keeps its
 * replicas' logs. Only tests of the temporary directory itself leave it out.
 */
public final class TestGroups {
    /** Small heaps and C1 only: a replica JVM boots in a fraction of a second. */
    public static final List<String> FAST_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx128m",
            "-Xshare:auto", "-XX:-UsePerfData");

    private TestGroups() {
    }

    /** A group of {@code n} {@link CounterService} replicas with test timings, working in {@code workDir/name}. */
    public static GroupConfig.Builder counter(String name, int n, Path workDir) {
        return of(name, n, CounterService.class.getName(), workDir);
    }

    /** A group of {@code n} replicas of {@code serviceClass} with test timings, working in {@code workDir/name}. */
    public static GroupConfig.Builder of(String name, int n, String serviceClass, Path workDir) {
        // one directory per group: two groups of a test must not share replica-N.log
        return of(name, n, serviceClass).workDir(workDir.resolve(name).toString());
    }

    /** A group of {@code n} {@link CounterService} replicas with test timings and a temporary work directory. */
    public static GroupConfig.Builder counter(String name, int n) {
        return of(name, n, CounterService.class.getName());
    }

    /** A group of {@code n} replicas of {@code serviceClass} with test timings and a temporary work directory. */
    public static GroupConfig.Builder of(String name, int n, String serviceClass) {
        return GroupConfig.builder(name).replicas(n).service(serviceClass).jvmArgs(FAST_JVM)
                .deadline(Duration.ofMillis(1500)).heartbeatInterval(Duration.ofMillis(100))
                .heartbeatTimeout(Duration.ofMillis(1000)).startTimeout(Duration.ofSeconds(20)).seed(42L)
                .checkpointEvery(100);
    }
}
