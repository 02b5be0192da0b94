package io.resh.gateway.protocol;

/**
 * Bytes that cannot be framed: malformed, or larger than the configured limit. The message says
 * which byte or length was wrong, in words a client (or an operator reading a fault) understands.
 */
public final class FrameException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FrameException(String message) {
        super(message, null, false, false);
    }
}
