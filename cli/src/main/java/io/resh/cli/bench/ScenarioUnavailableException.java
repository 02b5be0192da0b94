package io.resh.cli.bench;

import io.resh.core.ReshException;

/** A scenario can't run here: a module is not built in yet, or a tool is not installed. The message says what to do. */
public final class ScenarioUnavailableException extends ReshException {
    private static final long serialVersionUID = 1L;

    public ScenarioUnavailableException(String message) {
        super(message);
    }
}
