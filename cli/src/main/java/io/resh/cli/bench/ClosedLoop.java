package io.resh.cli.bench;

import io.resh.core.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.HdrHistogram.Histogram;

/**
 * Keeps exactly {@code window} requests outstanding for a fixed time: with a large window it finds
 * peak throughput, with a window of one it measures a lone request's latency.
 *
 * <p>Replies are awaited in the order the requests were sent, on the driver thread, so the target's
 * threads do no bookkeeping for the driver. With a window of 8 or more the driver sleeps until the
 * reply window/8 requests behind the oldest is in, then takes every reply already there and sends as
 * many new requests in one batch: it wakes once per batch, as a client draining a pipeline does.
 * Latency runs from send to the moment the driver saw the reply, so it includes that wait.
 *
 * <p>A closed loop hides stalls (while a request is stuck, its slot sends nothing), so the histogram is
 * corrected afterwards with HdrHistogram's {@code copyCorrectedForCoordinatedOmission},
 * taking as expected interval the mean time one slot took per request (Little's law: window × time /
 * requests).
 */
final class ClosedLoop {
    /**
     * How long the driver of a lone request busy-waits for its reply before it parks, as a client that
     * cares about latency does: waking a parked thread costs 20-40 us on this kind of machine, as much as
     * the request itself. Larger windows never spin: they wait for a batch of replies instead.
     */
    private static final long LONE_SPIN_NANOS = 1_000_000;
    private static final long HOT_SPIN_NANOS = 100_000;
    /** The driver waits for the reply window / this many requests behind the oldest (none for small windows). */
    private static final int AHEAD_FRACTION = 8;

    private final int window;
    private final long spinNanos;

    ClosedLoop(int window) {
        ConfigException.requireAtLeast("--window", window, 1);
        this.window = window;
        this.spinNanos = window == 1 ? LONE_SPIN_NANOS : 0;
    }

    /** A lone request whose client parks at once while it waits (pays a thread wake-up per reply). */
    static ClosedLoop loneParked() {
        return new ClosedLoop(1, 0);
    }

    private ClosedLoop(int window, long spinNanos) {
        this.window = window;
        this.spinNanos = spinNanos;
    }

    int window() {
        return window;
    }

    Tally run(Target target, RequestSource source, Duration time, boolean measureCpu) {
        Tally t = new Tally(target.label());
        t.correction = Tally.Correction.EXPECTED_INTERVAL;
        @SuppressWarnings({"unchecked", "rawtypes"})
        CompletableFuture<byte[]>[] ring = new CompletableFuture[window];
        long[] sentAt = new long[window];
        int head = 0;
        int size = 0;
        Histogram raw = new Histogram(3_600_000_000_000L, 3);
        CpuMeter.Reading cpu0 = measureCpu ? CpuMeter.read(target.processes()) : null;
        long start = System.nanoTime();
        long end = start + time.toNanos();
        long now = start;
        List<byte[]> refill = new ArrayList<>(window);
        while (true) {
            if (now < end && size < window) {
                refill.clear();
                for (int i = size; i < window; i++) {
                    refill.add(source.next());
                }
                long sent = System.nanoTime();
                for (CompletableFuture<byte[]> f : target.sendAll(refill)) {
                    int slot = head + size < window ? head + size : head + size - window;
                    sentAt[slot] = sent;
                    ring[slot] = f;
                    size++;
                }
            }
            if (size == 0) {
                break;
            }
            // With many outstanding, wait for a reply some way behind the oldest: the driver then wakes once
            // per batch of replies instead of once per reply (each wake-up costs the group's loop a system
            // call and the machine a context switch), as a client draining a pipeline does. Then the oldest
            // reply, and every reply already there behind it, so that the slots they free are refilled together.
            int ahead = Math.min(size - 1, window / AHEAD_FRACTION);
            if (ahead > 0 && !ring[head].isDone()) {
                int slot = head + ahead < window ? head + ahead : head + ahead - window;
                await(ring[slot], spinNanos);
            }
            do {
                String error = await(ring[head], spinNanos);
                now = System.nanoTime();
                if (error == null) {
                    raw.recordValue(Math.max(1, now - sentAt[head]));
                } else {
                    t.errors++;
                    if (t.firstError == null) {
                        t.firstError = error;
                    }
                }
                t.requests++;
                ring[head] = null;
                head = head + 1 == window ? 0 : head + 1;
                size--;
            } while (size > 0 && ring[head].isDone());
        }
        t.nanos = now - start;
        if (measureCpu) {
            CpuMeter.Usage used = CpuMeter.read(target.processes()).since(cpu0);
            t.hostCpuNanos = used.hostNanos();
            t.replicaCpuNanos = used.replicaNanos();
            t.cpuMeasured = true;
        }
        if (raw.getTotalCount() > 0) {
            long expected = Math.max(1, (long) ((double) window * t.nanos / t.requests));
            t.latency.add(raw.copyCorrectedForCoordinatedOmission(expected));
            t.uncorrected.add(raw);
        }
        return t;
    }

    /**
     * Waits for a reply, busy-waiting first for up to {@code spinNanos}; returns null on success or the
     * error's one-line description. The first {@value #HOT_SPIN_NANOS} ns spin on the CPU; after that
     * the driver yields between checks, so that a thread the reply needs (a replica, a reader) queued
     * on this core is not kept waiting for the driver's time slice to end.
     */
    static String await(CompletableFuture<byte[]> f, long spinNanos) {
        if (!f.isDone() && spinNanos > 0) {
            long now = System.nanoTime();
            long hotUntil = now + Math.min(spinNanos, HOT_SPIN_NANOS);
            long spinUntil = now + spinNanos;
            while (!f.isDone() && (now = System.nanoTime()) < spinUntil) {
                if (now < hotUntil) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }
        try {
            f.get();
            return null;
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            return c.getClass().getSimpleName() + ": " + c.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
