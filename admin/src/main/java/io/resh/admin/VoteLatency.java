package io.resh.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.resh.host.ReplyListener;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The vote latency of one group, whichever way its requests arrive (the TCP front door, {@code submit}, a
 * cluster): a {@link ReplyListener} that records every released reply into a Micrometer timer (for
 * {@code /metrics}) and an HdrHistogram {@link Recorder} (for the dashboard's one-second percentiles).
 *
 * <p>{@link #onReply} runs on the group's loop thread; both recordings are wait-free and allocate nothing,
 * so timing every reply does not slow voting down. A voted service error is a voted reply too and is timed.
 */
final class VoteLatency implements ReplyListener {
    private static final long MAX_TRACKED_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final Recorder interval = new Recorder(MAX_TRACKED_MICROS, 3);
    private final Timer timer;

    VoteLatency(String group, MeterRegistry registry) {
        this.timer = Timer.builder("resh.vote.latency")
                .description("Time from the group ordering a request to the release of its voted reply")
                .tag("group", group)
                .publishPercentiles(0.5, 0.9, 0.99, 0.999)
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .register(registry);
    }

    @Override
    public void onReply(long sequence, long latencyNanos, boolean ok) {
        long micros = Math.min(MAX_TRACKED_MICROS, Math.max(1, TimeUnit.NANOSECONDS.toMicros(latencyNanos)));
        interval.recordValue(micros);
        timer.record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    /** The latencies (in microseconds) recorded since the previous call; one caller only. */
    Histogram takeInterval(Histogram recycle) {
        return interval.getIntervalHistogram(recycle);
    }
}
