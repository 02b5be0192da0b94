package io.resh.gateway;

import java.util.concurrent.TimeUnit;

/**
 * The ticker's monotonic clock with the gateway's own stalls taken out: a gap between two readings longer than the
 * ticker's period by {@value #STALL_MILLIS} ms or more is time the gateway did not run (its JVM paused or stopped,
 * the machine starved), during which what replicas sent waited unread; a replica timed by this clock is not blamed
 * for it. Read on the event loop only.
 */
final class StallFreeClock {
    static final long STALL_MILLIS = 100;

    private final long periodNanos;
    private boolean read;
    private long lastRaw;
    private long stalled;

    StallFreeClock(long periodNanos) {
        this.periodNanos = periodNanos;
    }

    /** @param raw the monotonic clock now ({@link System#nanoTime}) */
    long read(long raw) {
        if (read) {
            long stall = raw - lastRaw - periodNanos;
            if (stall >= TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS)) {
                stalled += stall;
            }
        }
        read = true;
        lastRaw = raw;
        return raw - stalled;
    }
}
