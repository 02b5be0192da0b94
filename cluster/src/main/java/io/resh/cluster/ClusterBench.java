package io.resh.cluster;

import io.resh.core.config.GroupConfig;
import io.resh.gateway.server.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * A bounded load against an N-host loopback cluster started in this JVM (each host with its own local
 * replica group, so N×replicas replica processes), for {@code resh bench cluster}.
 *
 * <pre>{@code
 * ClusterBench.Result r = ClusterBench.run(new ClusterBench.Options(3, 3, "io.resh.examples.kv.KvStore",
 *         KvRequests.set("k", "v"), 20_000, 64, Duration.ofSeconds(30), 500, null));
 * System.out.printf("%.0f req/s, p50 %.0f us, p99 %.0f us%n", r.throughput(), r.p50Micros(), r.p99Micros());
 * }</pre>
 *
 * Every request goes through the Raft log (fsync'd on each host) and is executed and voted on every
 * host; the client is a {@link ClusterClient} with {@code window} requests outstanding. Latency is the
 * client's, from send to voted reply, in an HdrHistogram.
 */
public final class ClusterBench {
    private ClusterBench() {
    }

    /**
     * @param hosts cluster size (1 = the durable single-host mode)
     * @param replicas replicas per host
     * @param service the {@code ReplicatedService} class every replica runs
     * @param request the request sent over and over
     * @param requests measured requests (after the warm-up)
     * @param window requests outstanding at once
     * @param maxDuration bound on the measured phase; it stops early when reached
     * @param warmup requests sent and not measured, to let the JIT and the election settle
     * @param workDir where Raft logs go (a temporary directory when null; deleted afterwards either way
     *     only if temporary)
     */
    public record Options(int hosts, int replicas, String service, byte[] request, int requests, int window,
                          Duration maxDuration, int warmup, Path workDir) {
        public Options {
            if (hosts < 1 || replicas < 1 || requests < 1 || window < 1 || warmup < 0) {
                throw new IllegalArgumentException("hosts, replicas, requests and window must be positive");
            }
        }
    }

    /**
     * @param completed requests answered with a voted reply in the measured phase
     * @param errors requests that failed (error status or unknown outcome)
     * @param seconds length of the measured phase
     * @param throughput completed requests per second
     */
    public record Result(int hosts, int replicas, long completed, long errors, double seconds, double throughput,
                         double p50Micros, double p99Micros, double maxMicros) {
    }

    /** Starts the cluster, runs the load, stops the cluster. */
    public static Result run(Options o) {
        return run(o, () -> { });
    }

    /**
     * As {@link #run(Options)}; {@code beforeStop} runs once the measurement is over, before the hosts are
     * stopped (e.g. to quiet the Raft library, whose peers warn about each other going away while all of them
     * are stopped one after another).
     */
    public static Result run(Options o, Runnable beforeStop) {
        Path base;
        boolean temporary = o.workDir() == null;
        try {
            base = temporary ? Files.createTempDirectory("resh-bench-cluster-") : Files.createDirectories(o.workDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the bench directory", e);
        }
        List<ClusterPeer> peers = new ArrayList<>();
        for (int i = 1; i <= o.hosts(); i++) {
            peers.add(new ClusterPeer("h" + i, InetSocketAddress.createUnresolved("127.0.0.1", FreePorts.pick()),
                    InetSocketAddress.createUnresolved("127.0.0.1", FreePorts.pick())));
        }
        List<ClusterNode> nodes = new java.util.concurrent.CopyOnWriteArrayList<>();
        // Stopped mid-run (Ctrl-C), the finally block below does not run: the hook stops the hosts and removes
        // the temporary Raft logs instead.
        Thread onExit = new Thread(() -> stop(nodes, temporary ? base : null), "resh-cluster-bench-stop");
        Runtime.getRuntime().addShutdownHook(onExit);
        try {
            for (ClusterPeer p : peers) {
                ClusterConfig c = new ClusterConfig(p.id(), peers, base.resolve(p.id()), "bench", Duration.ofMillis(500),
                        Duration.ofMillis(1000), 10_000, Duration.ofSeconds(10), ClusterConfig.DEFAULT_SEGMENT_BYTES);
                GroupConfig g = GroupConfig.builder("bench-" + p.id()).replicas(o.replicas()).service(o.service())
                        .checkpointEvery(1000).build();
                nodes.add(ClusterNode.start(c, g, List.of()));
            }
            List<InetSocketAddress> doors = nodes.stream().map(ClusterNode::clientAddress).toList();
            try (ClusterClient client = ClusterClient.connect(doors, Duration.ofSeconds(30))) {
                load(client, o.request(), o.warmup(), o.window(), Duration.ofMinutes(2), null);
                Histogram h = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
                long t0 = System.nanoTime();
                long[] counts = load(client, o.request(), o.requests(), o.window(), o.maxDuration(), h);
                double seconds = (System.nanoTime() - t0) / 1e9;
                return new Result(o.hosts(), o.replicas(), counts[0], counts[1], seconds, counts[0] / seconds,
                        h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
                beforeStop.run();
                stop(nodes, temporary ? base : null);
            } catch (IllegalStateException shuttingDown) {
                // the hook stops them
            }
        }
    }

    private static void stop(List<ClusterNode> nodes, Path temporaryDir) {
        for (ClusterNode n : nodes) {
            try {
                n.close();
            } catch (RuntimeException e) {
                // keep stopping the rest
            }
        }
        if (temporaryDir != null) {
            deleteQuietly(temporaryDir);
        }
    }

    /** Sends {@code count} requests with {@code window} outstanding; returns {completed, errors}. */
    private static long[] load(ClusterClient client, byte[] request, int count, int window, Duration bound,
                               Histogram latencies) {
        long stopAt = System.nanoTime() + bound.toNanos();
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        ArrayDeque<CompletableFuture<?>> inflight = new ArrayDeque<>();
        for (int i = 0; i < count && System.nanoTime() < stopAt; i++) {
            if (inflight.size() >= window) {
                inflight.poll().join();
            }
            long start = System.nanoTime();
            inflight.add(client.send(request).handle((reply, error) -> {
                if (error == null) {
                    ok.incrementAndGet();
                    if (latencies != null) {
                        synchronized (latencies) {
                            latencies.recordValue(Math.min(System.nanoTime() - start, latencies.getHighestTrackableValue()));
                        }
                    }
                } else {
                    failed.incrementAndGet();
                }
                return null;
            }));
        }
        inflight.forEach(CompletableFuture::join);
        return new long[] {ok.get(), failed.get()};
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
