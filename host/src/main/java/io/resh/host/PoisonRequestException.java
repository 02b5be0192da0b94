package io.resh.host;

import io.resh.core.ReshException;

/**
 * The request killed or hung every live replica that executed it (a "query of death": its execution made
 * the process exit, or did not end within the group's deadline): it was skipped, so no replica's state
 * includes it, and the requests after it were executed without it. Retrying it would kill or hang the
 * replicas again.
 */
public final class PoisonRequestException extends ReshException {
    private static final long serialVersionUID = 1L;
    private final long sequence;
    private final int replicasKilled;

    public PoisonRequestException(long sequence, int replicasKilled, String message) {
        super(message);
        this.sequence = sequence;
        this.replicasKilled = replicasKilled;
    }

    /** The request's sequence number in the group's order. */
    public long sequence() {
        return sequence;
    }

    /** How many replica slots it killed or hung. */
    public int replicasKilled() {
        return replicasKilled;
    }
}
