package io.resh.cli.bench;

import io.resh.core.config.GroupConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/** Group configurations for benchmarks, and starting several groups at once. */
final class BenchGroups {
    private BenchGroups() {
    }

    /**
     * A group of {@code n} replicas of {@code serviceClass} with the shipped defaults, except what the
     * options set: core pinning and the checkpoint interval.
     */
    static GroupConfig.Builder config(String name, int n, String serviceClass, BenchOptions o, int defaultCheckpointEvery) {
        return GroupConfig.builder(name).replicas(n).service(serviceClass).pin(o.pin()).seed(o.seed())
                .checkpointEvery(o.checkpointEvery() != null ? o.checkpointEvery() : defaultCheckpointEvery)
                .startTimeout(Duration.ofSeconds(60));
    }

    /** Starts all configured groups in parallel (JVM start-up dominates); closes the started ones if one fails. */
    static <T extends Target> List<T> startAll(List<GroupConfig> configs, Function<GroupConfig, T> start) {
        List<CompletableFuture<T>> starting = new ArrayList<>();
        for (GroupConfig c : configs) {
            starting.add(CompletableFuture.supplyAsync(() -> start.apply(c)));
        }
        List<T> started = new ArrayList<>();
        RuntimeException failure = null;
        for (CompletableFuture<T> f : starting) {
            try {
                started.add(f.join());
            } catch (CompletionException e) {
                failure = e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        if (failure != null) {
            started.forEach(Target::close);
            throw failure;
        }
        return started;
    }

    static void closeAll(List<? extends Target> targets) {
        for (Target t : targets) {
            try {
                t.close();
            } catch (RuntimeException e) {
                // keep closing the others; a group that failed to stop has already killed its replicas
            }
        }
    }
}
