package io.resh.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.resh.host.ReplicaGroup;
import io.resh.host.ServiceErrorException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A {@link ReplicaGroup} whose requests are timed from submission to voted reply. Send requests through
 * it (instead of through the group directly) to get vote-latency percentiles in {@code /metrics} and on
 * the dashboard. Thread-safe; like {@link ReplicaGroup#submit}, it never blocks.
 *
 * <p>Latency is recorded on the group's loop thread when the reply completes; recording is wait-free
 * (an HdrHistogram {@link Recorder} and a Micrometer timer), so it does not slow the loop down.
 */
public final class MeteredGroup {
    private static final long MAX_TRACKED_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final ReplicaGroup group;
    private final Recorder interval = new Recorder(MAX_TRACKED_MICROS, 3);
    private final Timer timer;

    MeteredGroup(ReplicaGroup group, MeterRegistry registry) {
        this.group = group;
        this.timer = Timer.builder("resh.vote.latency")
                .description("Time from submitting a request to its voted reply (requests sent through MeteredGroup)")
                .tag("group", group.config().name())
                .publishPercentiles(0.5, 0.9, 0.99, 0.999)
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .register(registry);
    }

    /** Orders, executes and votes one request, timing it. */
    public CompletableFuture<byte[]> submit(byte[] request) {
        long start = System.nanoTime();
        CompletableFuture<byte[]> reply = group.submit(request);
        reply.whenComplete((r, e) -> {
            // A voted service error is still a voted reply; unavailability and fail-stop are not.
            if (e == null || e instanceof ServiceErrorException) {
                long nanos = System.nanoTime() - start;
                interval.recordValue(Math.min(MAX_TRACKED_MICROS, Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos))));
                timer.record(nanos, TimeUnit.NANOSECONDS);
            }
        });
        return reply;
    }

    public ReplicaGroup group() {
        return group;
    }

    /** The latencies (in microseconds) recorded since the previous call; one caller only. */
    Histogram takeInterval(Histogram recycle) {
        return interval.getIntervalHistogram(recycle);
    }
}
