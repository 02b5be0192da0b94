package io.resh.gateway.ordered;

import java.util.concurrent.TimeUnit;

/**
 * The monotonic clock with the gateway's own stalls taken out, which replicas are timed by. The periodic check
 * {@linkplain #tick ticks} it: a gap between two ticks longer than their period by {@link #STALL_NANOS} or more is
 * time the gateway did not run (its JVM paused or stopped, the machine starved it), during which what replicas sent
 * waited unread in their sockets; it is left out of the clock from then on. Without it, a gateway stopped for longer
 * than the deadline replaced a healthy replica whose reply had come a moment after f+1 others. Event loop only.
 */
public final class StallFreeClock {
    /** How far past its period a tick must come to count as a stall. */
    public static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final long periodNanos;
    private boolean ticked;
    private long lastRaw;
    private long stalled;
    private long lastStall;

    /** @param periodNanos how often {@link #tick} is called */
    public StallFreeClock(long periodNanos) {
        this.periodNanos = periodNanos;
    }

    /** The periodic check's reading at {@code raw} ({@link System#nanoTime}): finds a stall since the last one. */
    public long tick(long raw) {
        lastStall = 0;
        if (ticked && raw - lastRaw - periodNanos >= STALL_NANOS) {
            lastStall = raw - lastRaw - periodNanos;
            stalled += lastStall;
        }
        ticked = true;
        lastRaw = raw;
        return at(raw);
    }

    /** The clock at {@code raw}, between ticks. */
    public long at(long raw) {
        return raw - stalled;
    }

    /** The stall the last {@link #tick} found, or 0. */
    long lastStall() {
        return lastStall;
    }
}
