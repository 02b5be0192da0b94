package io.resh.core;

import java.util.concurrent.CompletionException;

/** What made a {@code CompletableFuture} fail, whichever stage reported it. */
public final class CompletionCause {
    private CompletionCause() {
    }

    /**
     * The failure itself: a {@link CompletionException} a dependent stage wrapped around it is taken off,
     * so that callers can tell a service error from a fail-stop by its type.
     */
    public static Throwable of(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
