package io.resh.cli.bench;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a benchmark's clean-up once: when the run ends ({@link #close}), or when the JVM is stopped in the
 * middle of it (Ctrl-C, SIGTERM), when no {@code finally} block runs. Without it an interrupted
 * {@code resh bench gateway-redis} left its redis-server and HAProxy running, orphaned, and their
 * directory behind.
 */
final class ExitGuard implements AutoCloseable {
    private final Runnable cleanUp;
    private final AtomicBoolean done = new AtomicBoolean();
    private final Thread hook;

    private ExitGuard(Runnable cleanUp) {
        this.cleanUp = cleanUp;
        this.hook = new Thread(this::runOnce, "resh-bench-clean-up");
    }

    /** Registers {@code cleanUp} to run on {@link #close} or at JVM exit, whichever comes first. */
    static ExitGuard register(Runnable cleanUp) {
        ExitGuard guard = new ExitGuard(cleanUp);
        Runtime.getRuntime().addShutdownHook(guard.hook);
        return guard;
    }

    private void runOnce() {
        if (done.compareAndSet(false, true)) {
            cleanUp.run();
        }
    }

    @Override
    public void close() {
        runOnce();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run; runOnce keeps it to one clean-up
        }
    }
}
