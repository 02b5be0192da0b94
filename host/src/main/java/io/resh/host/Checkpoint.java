package io.resh.host;

import io.resh.core.Digest;

/**
 * A stable checkpoint: the newest state that f+1 replicas vouched for — its sequence number, digest and
 * snapshot bytes (taken from one agreeing replica and verified against the digest). Sequence 0 is the
 * initial state and has no digest and no bytes.
 *
 * <p>A group can be started from a checkpoint (another host's, or one saved to disk): its replicas
 * restore the snapshot and the group continues numbering after {@link #sequence()}.
 */
public record Checkpoint(long sequence, Digest digest, byte[] snapshot) {
    /** The state every replica has before its first request. */
    public static final Checkpoint INITIAL = new Checkpoint(0, null, null);
    /**
     * Bytes the thread constructing a checkpoint has just hashed to its digest ({@link #hashed}): the
     * constructor need not hash them again. Hashing 100 MB takes 0.1 to 0.2 s, and the group loop, which
     * makes every fetched snapshot a checkpoint, would hold every client request for as long.
     */
    private static final ThreadLocal<byte[]> HASHED = new ThreadLocal<>();

    public Checkpoint {
        if (sequence < 0) {
            throw new IllegalArgumentException("checkpoint sequence must be >= 0, got " + sequence);
        }
        if (sequence > 0 && (digest == null || snapshot == null)) {
            throw new IllegalArgumentException("checkpoint #" + sequence + " needs a digest and snapshot bytes");
        }
        if (snapshot != null && digest != null && HASHED.get() != snapshot && !Digest.of(snapshot).equals(digest)) {
            throw new IllegalArgumentException("checkpoint #" + sequence + ": snapshot bytes do not match the digest "
                    + digest.shortHex());
        }
    }

    /**
     * A checkpoint of {@code snapshot}, whose bytes the caller has already hashed to {@code digest} (and
     * will not change): the same check as the constructor's, without hashing them a second time.
     */
    static Checkpoint hashed(long sequence, Digest digest, byte[] snapshot) {
        HASHED.set(snapshot);
        try {
            return new Checkpoint(sequence, digest, snapshot);
        } finally {
            HASHED.remove();
        }
    }

    public boolean initial() {
        return sequence == 0;
    }
}
