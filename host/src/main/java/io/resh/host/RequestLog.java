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

    /**
     * The entry with this sequence number, or null if it was truncated, not yet assigned, or the slot
     * holds something else (corrupted bookkeeping must never route a vote to the wrong request).
     */
    LogEntry get(long seq) {
        if (seq < first || seq >= next) {
            return null;
        }
        LogEntry e = ring[slot(seq)];
        return e != null && e.sequence == seq ? e : null;
    }

    /** Drops decided entries up to and including {@code seq}; stops at the first undecided one. */
    void truncateThrough(long seq) {
        while (first <= seq && first < next) {
            LogEntry e = ring[slot(first)];
            if (e != null && !e.answered) {
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

    /**
     * Puts every kept entry back at its own sequence number (self-stabilization after the ring was
     * scrambled) and returns the sequence numbers for which no entry exists any more.
     */
    java.util.List<Long> repair() {
        java.util.Map<Long, LogEntry> found = new java.util.HashMap<>();
        for (LogEntry e : ring) {
            if (e != null && e.sequence >= first && e.sequence < next) {
                found.putIfAbsent(e.sequence, e);
            }
        }
        Arrays.fill(ring, null);
        java.util.List<Long> missing = new java.util.ArrayList<>();
        for (long s = first; s < next; s++) {
            LogEntry e = found.get(s);
            ring[slot(s)] = e;
            if (e == null) {
                missing.add(s);
            }
        }
        return missing;
    }

    /** Fills a hole {@link #repair} reported. */
    void fill(LogEntry e) {
        if (e.sequence >= first && e.sequence < next && ring[slot(e.sequence)] == null) {
            ring[slot(e.sequence)] = e;
        }
    }

    /** Swaps two kept entries in the ring: a deliberate corruption, for self-check tests only. */
    void scramble(long a, long b) {
        LogEntry t = ring[slot(a)];
        ring[slot(a)] = ring[slot(b)];
        ring[slot(b)] = t;
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
