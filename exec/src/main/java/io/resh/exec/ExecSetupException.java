package io.resh.exec;

import io.resh.core.ReshException;

/**
 * The replicas could not be started at all: a tool is missing, the sandbox can't be created, the
 * command does not exist, a work directory can't be made. Nothing ran; {@link #exitCode()} is the
 * code resh exits with.
 */
public final class ExecSetupException extends ReshException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public ExecSetupException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public ExecSetupException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** {@link ExitCodes#SETUP_FAILED} or {@link ExitCodes#NOT_FOUND}. */
    public int exitCode() {
        return exitCode;
    }
}
