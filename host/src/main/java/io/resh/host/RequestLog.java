package io.resh.host;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The ordered requests since the stable checkpoint: a ring buffer indexed by sequence number. Entries
 * leave only when a later stable checkpoint covers them, so memory is bounded by the checkpoint
 * interval (plus whatever is still undecided).
 */
final class RequestLog {
    private LogEntry[] ring = new LogEntry[1024];
    private long first = 1; // sequence number of the oldest kept entry
    private long next = 1;  // sequence number the next append gets

    /** Positions an empty log after {@code sequence} (a group started from a checkpoint). */
    void startAfter(long sequence) {
        if (size() != 0) {
            throw new IllegalStateException("the log is not empty");
        }
        first = sequence + 1;
        next = sequence + 1;
    }

    long nextSequence() {
        return next;
    }

    long lastSequence() {
        return next - 1;
    }

    long firstSequence() {
        return first;
    }

    int size() {
        return (int) (next - first);
    }

    void append(LogEntry e) {
        if (e.sequence != next) {
            throw new IllegalStateException("log gap: appending #" + e.sequence + " after #" + (next - 1));
        }
        if (size() == ring.length) {
            grow();
        }
        ring[slot(next)] = e;
        next++;
    }

    /** The entry with this sequence number, or null if it was truncated or not yet assigned. */
    LogEntry get(long seq) {
        if (seq < first || seq >= next) {
            return null;
        }
        return ring[slot(seq)];
    }

    /** Drops decided entries up to and including {@code seq}; stops at the first undecided one. */
    void truncateThrough(long seq) {
        while (first <= seq && first < next) {
            LogEntry e = ring[slot(first)];
            if (!e.answered) {
                return;
            }
            ring[slot(first)] = null;
            first++;
        }
    }

    void forEach(Consumer<LogEntry> action) {
        for (long s = first; s < next; s++) {
            action.accept(ring[slot(s)]);
        }
    }

    /** Invariant check used by self-tests and supervision: every kept slot holds its own sequence number. */
    boolean contiguous() {
        for (long s = first; s < next; s++) {
            LogEntry e = ring[slot(s)];
            if (e == null || e.sequence != s) {
                return false;
            }
        }
        return true;
    }

    private int slot(long seq) {
        return (int) (seq & (ring.length - 1));
    }

    private void grow() {
        LogEntry[] bigger = new LogEntry[ring.length * 2];
        for (long s = first; s < next; s++) {
            bigger[(int) (s & (bigger.length - 1))] = ring[slot(s)];
        }
        Arrays.fill(ring, null);
        ring = bigger;
    }
}
