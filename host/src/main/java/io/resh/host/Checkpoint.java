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

    public Checkpoint {
        if (sequence < 0) {
            throw new IllegalArgumentException("checkpoint sequence must be >= 0, got " + sequence);
        }
        if (sequence > 0 && (digest == null || snapshot == null)) {
            throw new IllegalArgumentException("checkpoint #" + sequence + " needs a digest and snapshot bytes");
        }
        if (snapshot != null && digest != null && !Digest.of(snapshot).equals(digest)) {
            throw new IllegalArgumentException("checkpoint #" + sequence + ": snapshot bytes do not match the digest "
                    + digest.shortHex());
        }
    }

    public boolean initial() {
        return sequence == 0;
    }
}
