package io.resh.campaign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads a process's scheduler state from {@code /proc/<pid>/stat} (Linux). Used to wait until a
 * {@code SIGSTOP} has actually frozen a replica: the signal is asynchronous, and on a loaded machine
 * every thread of a JVM can take over 100 ms to reach the stop, long enough to answer a whole window
 * of requests before the hang begins.
 */
final class ProcStat {
    private ProcStat() {
    }

    /** The state letter ({@code R}, {@code S}, {@code T}, ...), or {@code ?} when it can't be read. */
    static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            int close = stat.lastIndexOf(')'); // the command name in parentheses may itself hold spaces
            return close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
        } catch (IOException | RuntimeException e) {
            return '?';
        }
    }

    /**
     * Waits until {@code pid} is stopped, at most {@code maxNanos}.
     *
     * @return how long it took in nanoseconds, or -1 if it did not stop in time or its state can't be read
     */
    static long awaitStopped(long pid, long maxNanos) {
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < maxNanos) {
            char s = state(pid);
            if (s == 'T' || s == 't') {
                return System.nanoTime() - t0;
            }
            if (s == '?') {
                return -1;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return -1;
    }
}
