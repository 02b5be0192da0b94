package io.resh.host;

/**
 * SIGSTOP and SIGCONT for the tests of other modules, through the {@link Signals} that fault injection uses: a
 * paused process keeps its sockets open (the kernel still accepts connections) but answers nothing.
 */
public final class ProcessPause {
    private ProcessPause() {
    }

    /** Stops {@code pid}; returns once it is stopped. */
    public static void pause(long pid) {
        check(Signals.stop(pid));
    }

    /** Lets {@code pid} run again. */
    public static void resume(long pid) {
        check(Signals.resume(pid));
    }

    private static void check(String outcome) {
        // Signals reports rather than throws (fault injection shows the outcome); a test must not go on unpaused.
        if (!outcome.startsWith("SIG")) {
            throw new IllegalStateException(outcome);
        }
    }
}
