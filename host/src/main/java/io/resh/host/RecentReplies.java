package io.resh.host;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The large replies a group's reader threads copied out of their replicas' shared body files last, one per
 * request in a small table indexed by sequence number. A reader whose replica answered a request with the same
 * bytes as another replica compares them in the file and passes on that replica's array instead of copying its
 * own: the copy (an allocation of the reply's size) is saved, and the vote, seeing one array twice, compares
 * nothing. Only bytes found equal are shared, so the table is a shortcut and never decides anything; an entry
 * overwritten or of another request is simply a miss. Thread-safe.
 *
 * <p>The reader that keeps a reply also makes the client's copy of its payload (the voted array carries the
 * status byte in front), while the other replicas are still at work; the group loop takes it if that reply is
 * the one voted, instead of copying the payload itself after the vote, where the client would wait for it.
 */
final class RecentReplies {
    /**
     * Requests whose replies are kept: enough for those a group has in flight between its readers. Each reply
     * fits a shared file's ring (4 MiB by default), so at most eight such replies (and, until the loop takes
     * them, their payload copies) outlive their requests.
     */
    private static final int SIZE = 8;

    private static final class Entry {
        final long sequence;
        final byte[] body;
        /** The client's copy of body's payload; taken (set to null) once, by the group loop. */
        volatile byte[] payload;

        Entry(long sequence, byte[] body, byte[] payload) {
            this.sequence = sequence;
            this.body = body;
            this.payload = payload;
        }
    }

    private final AtomicReferenceArray<Entry> entries = new AtomicReferenceArray<>(SIZE);
    /** The highest sequence number the group loop answered; written by the loop only. */
    private final AtomicLong answeredThrough = new AtomicLong();

    /** The reply to request {@code sequence} some reader kept, or null. */
    byte[] get(long sequence) {
        Entry e = entries.get(index(sequence));
        return e != null && e.sequence == sequence ? e.body : null;
    }

    /**
     * Keeps {@code body}, a reply to request {@code sequence}, for the readers of the other replicas.
     *
     * @param payload a copy of the body without its status byte, for the client, or null
     */
    void put(long sequence, byte[] body, byte[] payload) {
        entries.set(index(sequence), new Entry(sequence, body, payload));
    }

    /**
     * The client's copy of {@code body}'s payload, if {@code body} is this very array kept for request
     * {@code sequence} with one; given out once (group loop only), null otherwise.
     */
    byte[] takePayload(long sequence, byte[] body) {
        Entry e = entries.get(index(sequence));
        if (e == null || e.sequence != sequence || e.body != body) {
            return null;
        }
        byte[] p = e.payload;
        e.payload = null;
        return p;
    }

    /** Group loop: request {@code sequence} has its answer. */
    void answered(long sequence) {
        if (sequence > answeredThrough.getPlain()) {
            answeredThrough.lazySet(sequence); // a reader that sees it late makes a copy it did not need, no more
        }
    }

    /**
     * True if a reply to request {@code sequence} comes later than the table looks back: a catching-up
     * replica's, replaying requests answered long ago. It is neither kept (it would push out the replies of
     * requests in flight) nor copied for the client, who has its answer. The slowest replica of a request just
     * answered is not late: its reply is still compared with the others' in the file.
     */
    boolean late(long sequence) {
        return sequence <= answeredThrough.get() - SIZE;
    }

    private static int index(long sequence) {
        return (int) Math.floorMod(sequence, (long) SIZE);
    }
}
