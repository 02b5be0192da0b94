package io.resh.gateway.ordered;

import io.resh.gateway.protocol.Request;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The state-changing requests since the group started, in sequence order: replaying them into a
 * freshly started server rebuilds the state every other replica has. Bounded by entries and bytes;
 * past either bound the log is dropped and marked overflowed, because a log with a hole can no longer
 * rebuild anything, until it {@linkplain #restartAfter restarts} at a checkpoint. A request of death is {@linkplain #skip skipped}: it stays counted but is no longer
 * replayed. Each entry keeps its request's sequence number, so that a replay failing at an entry can name the
 * request (and blame it: {@link QueryOfDeath} counts failures by sequence number).
 */
public final class ReplayLog {
    private final long maxBytes;
    private final int maxEntries;
    private final List<Request> entries = new ArrayList<>();
    /** The sequence number of each entry, by index (a primitive array: 8 bytes an entry, not a boxed Long). */
    private long[] seqs = new long[16];
    private long bytes;
    /** The checkpoint the log starts after: every request up to it is in the servers' saved state (0: none). */
    private long base;
    private long appended;
    private long skipped;
    private boolean overflowed;
    /**
     * While overflowed: the checkpoint being taken, after which every request is kept again so that the log can start
     * there once the checkpoint is stored; -1 while it keeps nothing.
     */
    private long restartAfter = -1;
    /** Which bound it passed, in the config's words, so that the warning says what to raise. */
    private String overflowCause;

    public ReplayLog(long maxBytes, int maxEntries) {
        this.maxBytes = maxBytes;
        this.maxEntries = maxEntries;
    }

    /**
     * Appends request {@code seq}; returns false if this append overflowed the log, or it keeps nothing (it overflowed,
     * and no checkpoint to {@linkplain #restartAfter restart} at is being taken).
     */
    public boolean append(Request request, long seq) {
        if (!keeping()) {
            return false;
        }
        if (entries.size() + 1 > maxEntries || bytes + request.bytes().length > maxBytes) {
            overflowed = true;
            restartAfter = -1;
            overflowCause = entries.size() + 1 > maxEntries
                    ? "it would hold more than replayLogEntries (" + maxEntries + ") requests"
                    : "it would hold more than replayLogLimit (" + maxBytes + " bytes) of requests";
            entries.clear();
            seqs = new long[0];
            bytes = 0;
            return false;
        }
        if (entries.size() == seqs.length) {
            seqs = Arrays.copyOf(seqs, Math.max(16, seqs.length * 2));
        }
        seqs[entries.size()] = seq;
        entries.add(request);
        bytes += request.bytes().length;
        appended++;
        return true;
    }

    /**
     * True while appended requests are kept: it did not overflow, or it is kept again for a checkpoint to
     * {@linkplain #restartAfter restart} at.
     */
    public boolean keeping() {
        return !overflowed || restartAfter >= 0;
    }

    /**
     * After it overflowed: keeps every request after {@code seq} again, the checkpoint being taken there, so that once
     * that checkpoint is stored {@link #compactThrough} starts the log from it and replicas can be rebuilt again. What
     * it kept for an earlier checkpoint, which was not stored, is dropped. The log stays overflowed until then.
     */
    public void restartAfter(long seq) {
        if (!overflowed) {
            throw new IllegalStateException("the log did not overflow: a checkpoint cuts it instead");
        }
        entries.clear();
        seqs = new long[16];
        bytes = 0;
        restartAfter = seq;
    }

    /**
     * Forgets every entry up to and including request {@code seq}, which a stored checkpoint now covers. Indexes
     * shift, so no replica may be replaying while this runs. Returns how many entries were dropped. An overflowed log
     * starts again here if it kept every request since ({@link #restartAfter} at {@code seq} or before), and is no
     * longer overflowed; otherwise it stays so.
     */
    public int compactThrough(long seq) {
        if (overflowed) {
            if (restartAfter < 0 || seq < restartAfter) {
                return 0; // requests between seq and what it kept are missing
            }
            overflowed = false;
            overflowCause = null;
            restartAfter = -1;
        } else if (seq <= base) {
            return 0;
        }
        int n = 0;
        while (n < entries.size() && seqs[n] <= seq) {
            Request r = entries.get(n);
            if (r != null) {
                bytes -= r.bytes().length;
            }
            n++;
        }
        entries.subList(0, n).clear();
        System.arraycopy(seqs, n, seqs, 0, entries.size());
        base = seq;
        return n;
    }

    /** The checkpoint the log starts after (the last request it covers), or 0 if the log starts with the group. */
    public long base() {
        return base;
    }

    public int size() {
        return entries.size();
    }

    /** The request at {@code index}, or null if it was {@linkplain #skip skipped}. */
    public Request get(int index) {
        return entries.get(index);
    }

    /** The sequence number of the request at {@code index}, skipped or not. */
    public long seq(int index) {
        return seqs[index];
    }

    /**
     * Drops {@code request} (this very object) from what is replayed, keeping every index: replicas in the
     * middle of a replay go on where they are. Searched from the newest entry, where a request of death
     * normally is. False if it is not in the log.
     */
    public boolean skip(Request request) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i) == request) {
                entries.set(i, null);
                bytes -= request.bytes().length;
                skipped++;
                return true;
            }
        }
        return false;
    }

    /** How many requests were skipped. */
    public long skipped() {
        return skipped;
    }

    public long bytes() {
        return bytes;
    }

    /** The most bytes of requests it holds before it overflows. */
    public long byteLimit() {
        return maxBytes;
    }

    /** True once a bound was exceeded: replicas cannot be rebuilt by replay until the log restarts at a checkpoint. */
    public boolean overflowed() {
        return overflowed;
    }

    /** Which bound was passed ("it would hold more than replayLogEntries (5) requests"), or null while it is not overflowed. */
    public String overflowCause() {
        return overflowCause;
    }

    /** How many requests were ever appended. */
    public long appended() {
        return appended;
    }
}
