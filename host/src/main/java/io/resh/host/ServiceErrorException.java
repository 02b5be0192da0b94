package io.resh.host;

import io.resh.core.ReshException;

/**
 * The service threw while executing a request, and f+1 replicas agreed on that error. This is a voted
 * answer, not a fault of resh: the message is the service's own.
 */
public final class ServiceErrorException extends ReshException {
    private static final long serialVersionUID = 1L;
    private final long sequence;

    public ServiceErrorException(long sequence, String serviceMessage) {
        super(serviceMessage);
        this.sequence = sequence;
    }

    public long sequence() {
        return sequence;
    }
}
