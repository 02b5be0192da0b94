package io.resh.admin;

/**
 * At most {@code perWindow} log lines per window, so a client hammering the API with a bad token can't
 * flood the log; the next admitted line says how many were left out. Thread-safe.
 */
final class LogBudget {
    private final int perWindow;
    private final long windowNanos;
    private long windowStart;
    private int used;
    private long suppressed;
    private boolean started;

    LogBudget(int perWindow, long windowNanos) {
        this.perWindow = perWindow;
        this.windowNanos = windowNanos;
    }

    /** -1 to stay silent; otherwise log, mentioning the returned number of lines left out before. */
    synchronized long admit(long nowNanos) {
        if (!started || nowNanos - windowStart >= windowNanos) {
            started = true;
            windowStart = nowNanos;
            used = 0;
        }
        if (used >= perWindow) {
            suppressed++;
            return -1;
        }
        used++;
        long left = suppressed;
        suppressed = 0;
        return left;
    }
}
