package io.resh.cli.bench;

import io.resh.core.CompletionCause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Recorder;

/**
 * Sends at a fixed rate regardless of how fast replies come back, and measures every request from
 * the moment it was due, not from when it was actually sent: a stall of the target (or of this driver)
 * shows in the latency of every request it delayed. That is the coordinated-omission-free way to ask
 * "what latency does a client see at this load".
 *
 * <p>The driver sleeps between sends (the OS wakes it tens of microseconds late at best), so requests
 * due while it slept are sent in a burst when it wakes (one {@link Target#sendAll} call); their latency still counts from their due
 * times, so the driver's own lateness is charged to the result, never hidden. Replies are timed on the
 * thread that completes them.
 */
final class OpenLoop {
    /** Requests still unanswered this long after the run are counted as errors. */
    private static final Duration DRAIN = Duration.ofSeconds(10);

    private final double rate;

    OpenLoop(double requestsPerSecond) {
        if (!(requestsPerSecond > 0)) {
            throw new IllegalArgumentException("a fixed-rate load needs a positive rate, got " + requestsPerSecond);
        }
        this.rate = requestsPerSecond;
    }

    double rate() {
        return rate;
    }

    Tally run(Target target, RequestSource source, Duration time, boolean measureCpu) {
        return run(target, source, time, measureCpu, () -> false);
    }

    /**
     * As {@link #run(Target, RequestSource, Duration, boolean)}, but calls {@code tickUntilDone} between
     * sends (for fault schedules) and stops sending early once it returns true.
     */
    Tally run(Target target, RequestSource source, Duration maxTime, boolean measureCpu, BooleanSupplier tickUntilDone) {
        Tally t = new Tally(target.label());
        t.correction = Tally.Correction.INTENDED_START;
        Recorder recorder = new Recorder(3_600_000_000_000L, 3);
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong lastDone = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        double interval = 1e9 / rate;
        long total = Math.max(1, (long) (maxTime.toNanos() / interval));
        CpuMeter.Reading cpu0 = measureCpu ? CpuMeter.read(target.processes()) : null;
        List<byte[]> burst = new ArrayList<>();
        long start = System.nanoTime();
        for (long i = 0; i < total; ) {
            if (tickUntilDone.getAsBoolean()) {
                total = i;
                break;
            }
            long now = System.nanoTime();
            long due = start + (long) (i * interval);
            if (due > now) {
                // Sleep, never spin: a spinning driver would take a core from the system it measures. The
                // requests that fall due while it sleeps go out together and are timed from their due times.
                LockSupport.parkNanos(due - now);
                continue;
            }
            // Everything due by now goes out, in one batch, each timed from its own due time.
            long first = i;
            burst.clear();
            while (i < total && start + (long) (i * interval) <= now) {
                burst.add(source.next());
                i++;
            }
            List<CompletableFuture<byte[]>> sent = target.sendAll(burst);
            for (int k = 0; k < sent.size(); k++) {
                long dueAt = start + (long) ((first + k) * interval);
                sent.get(k).whenComplete((reply, error) -> {
                    long done = System.nanoTime();
                    if (error == null) {
                        recorder.recordValue(Math.max(1, done - dueAt));
                    } else {
                        failed.incrementAndGet();
                        Throwable c = CompletionCause.of(error);
                        firstError.compareAndSet(null, c.getClass().getSimpleName() + ": " + c.getMessage());
                    }
                    lastDone.accumulateAndGet(done, Math::max);
                    completed.incrementAndGet();
                });
            }
        }
        long drainUntil = System.nanoTime() + DRAIN.toNanos();
        while (completed.get() < total && System.nanoTime() < drainUntil) {
            tickUntilDone.getAsBoolean();
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
        long unanswered = total - completed.get();
        t.nanos = Math.max(lastDone.get(), start + 1) - start;
        if (measureCpu) {
            CpuMeter.Usage used = CpuMeter.read(target.processes()).since(cpu0);
            t.hostCpuNanos = used.hostNanos();
            t.replicaCpuNanos = used.replicaNanos();
            t.cpuMeasured = true;
        }
        t.requests = total;
        t.errors = failed.get() + unanswered;
        t.firstError = unanswered > 0 && firstError.get() == null
                ? unanswered + " requests unanswered " + DRAIN.toSeconds() + " s after the run" : firstError.get();
        t.latency.add(recorder.getIntervalHistogram());
        return t;
    }
}
