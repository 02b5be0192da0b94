package io.resh.core;

/** Root of every exception resh raises on purpose. Subtypes carry what a caller needs to act. */
public class ReshException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ReshException(String message) {
        super(message);
    }

    public ReshException(String message, Throwable cause) {
        super(message, cause);
    }
}
