package io.resh.core;

/**
 * The group stopped rather than answer with a value it could not vote: with DMR the two replicas
 * disagreed again after a rollback, or with N ≥ 3 no value reached f+1 replies. Clients get this,
 * never an unvoted reply.
 */
public final class FailStopException extends ReshException {
    private static final long serialVersionUID = 1L;
    private final long sequence;

    public FailStopException(long sequence, String detail) {
        super("fail-stop at request #" + sequence + ": " + detail);
        this.sequence = sequence;
    }

    /** The sequence number of the request that could not be voted. */
    public long sequence() {
        return sequence;
    }
}
