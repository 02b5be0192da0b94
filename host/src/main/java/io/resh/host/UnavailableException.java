package io.resh.host;

import io.resh.core.ReshException;

/**
 * A request could not be answered in time (too many replicas were down for too long) or the group is closed.
 * {@link #outcomeUnknown()} tells the two apart for the client: a request that timed out was handed to the
 * replicas and may have taken effect; one refused by a closed group was not run.
 */
public final class UnavailableException extends ReshException {
    private static final long serialVersionUID = 1L;
    private final boolean outcomeUnknown;

    public UnavailableException(String message) {
        this(message, false);
    }

    private UnavailableException(String message, boolean outcomeUnknown) {
        super(message);
        this.outcomeUnknown = outcomeUnknown;
    }

    /** No answer in time for a request the replicas may have run. */
    public static UnavailableException outcomeUnknown(String message) {
        return new UnavailableException(message, true);
    }

    /** Whether the request may have taken effect (it timed out), rather than surely not (refused). */
    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }
}
