package io.resh.host;

import io.resh.core.ReshException;

/** A request could not be answered in time (too many replicas were down for too long) or the group is closed. */
public final class UnavailableException extends ReshException {
    private static final long serialVersionUID = 1L;

    public UnavailableException(String message) {
        super(message);
    }
}
