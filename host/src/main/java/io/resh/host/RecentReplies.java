package io.resh.host;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The large replies a group's reader threads copied out of their replicas' shared body files last, one per
 * request in a small table indexed by sequence number. A reader whose replica answered a request with the same
 * bytes as another replica compares them in the file and passes on that replica's array instead of copying its
 * own: the copy (an allocation of the reply's size) is saved, and the vote, seeing one array twice, compares
 * nothing. Only bytes found equal are shared, so the table is a shortcut and never decides anything; an entry
 * overwritten or of another request is simply a miss. Thread-safe.
 */
final class RecentReplies {
    /**
     * Requests whose replies are kept: enough for those a group has in flight between its readers. Each reply
     * fits a shared file's ring (4 MiB by default), so at most eight such arrays outlive their requests.
     */
    private static final int SIZE = 8;

    private record Entry(long sequence, byte[] body) {
    }

    private final AtomicReferenceArray<Entry> entries = new AtomicReferenceArray<>(SIZE);

    /** The reply to request {@code sequence} some reader kept, or null. */
    byte[] get(long sequence) {
        Entry e = entries.get(index(sequence));
        return e != null && e.sequence == sequence ? e.body : null;
    }

    /** Keeps {@code body}, a reply to request {@code sequence}, for the readers of the other replicas. */
    void put(long sequence, byte[] body) {
        entries.set(index(sequence), new Entry(sequence, body));
    }

    private static int index(long sequence) {
        return (int) Math.floorMod(sequence, (long) SIZE);
    }
}
