package io.resh.cli;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one JVM exit hook of a {@code resh serve}, from before its config is read until it exits: Ctrl-C or SIGTERM
 * at any moment closes what was started and says so. A hook while loading and another once serving left a window
 * between them, while the client port and the admin API were opened: a stop there left a gateway's work directory
 * behind and said nothing, and adding the second hook once the JVM was exiting threw "Shutdown in progress".
 *
 * <p>The main thread starts each server through {@link #start}; the hook waits for a start under way to end (the
 * group's and the gateway's own exit hooks abort theirs), then closes what was started, newest first, and prints
 * the stopped line, or, when nothing was started, what the stop interrupted.
 */
final class ServeExit {
    /** How long the hook waits for a start under way before the JVM goes on exiting without it. */
    private static final long START_WAIT_MILLIS = 20_000;
    /**
     * Test hook: the name of a step ({@code group}, {@code server}, {@code admin}, {@code gateway}, {@code host}) after
     * whose start the main thread waits for the JVM to exit, so that a test can stop {@code resh serve} there, every
     * time, instead of at a random moment.
     */
    static final String PAUSE_AFTER = "resh.serve.pauseAfter";

    private final Object lock = new Object();
    /** Closes each server started, newest first. */
    private final Deque<Runnable> started = new ArrayDeque<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread hook = new Thread(this::onExit, "resh-serve-stop");
    private final String pauseAfter = System.getProperty(PAUSE_AFTER);
    private String stoppedWhile;
    private String stoppedLine;
    private boolean exiting;
    private boolean busy;

    /**
     * Registers the hook; until {@link #starting} it says it was stopped while {@code stoppedWhile}.
     *
     * @throws Stopped when the JVM is exiting already (a signal came before the command ran)
     */
    ServeExit(String stoppedWhile) {
        this.stoppedWhile = stoppedWhile;
        LogFlushOnExit.holdUntil(stopped); // first: logging stops only after the hook, should it run at once
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            stopped.countDown();
            System.err.println("resh: stopped while " + stoppedWhile);
            System.err.flush();
            throw new Stopped();
        }
    }

    /**
     * The config passed its checks and {@code what} ("group kv") starts; a stop from now on prints {@code stoppedLine}
     * once anything was started.
     *
     * @throws Stopped when the JVM is exiting: start nothing; the hook has said why
     */
    void starting(String what, String stoppedLine) {
        synchronized (lock) {
            if (exiting) {
                throw new Stopped();
            }
            stoppedWhile = what + " was starting; nothing was served";
            this.stoppedLine = stoppedLine;
        }
    }

    /**
     * Runs {@code start} (named {@code step}) and keeps what it started, for the hook or {@link #fail} to close.
     *
     * @throws Stopped when the JVM began to exit before or during the start: the hook closes what was started and
     *     says so, and the exit status is the signal's
     */
    <T> T start(String step, Supplier<T> start, java.util.function.Function<T, Runnable> close) {
        synchronized (lock) {
            if (exiting) {
                throw new Stopped();
            }
            busy = true;
        }
        T server;
        try {
            server = start.get();
        } catch (RuntimeException | Error e) {
            synchronized (lock) {
                busy = false;
                lock.notifyAll();
                if (exiting) {
                    throw new Stopped(); // closed under the start by its own exit hook: no fault of its
                }
            }
            throw e;
        }
        synchronized (lock) {
            busy = false;
            started.push(close.apply(server));
            lock.notifyAll();
            if (step.equals(pauseAfter)) {
                System.err.println("resh serve: paused after starting the " + step + " (" + PAUSE_AFTER + ")");
                System.err.flush();
                while (!exiting) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            if (exiting) {
                throw new Stopped();
            }
        }
        return server;
    }

    /** A start failed: closes, on this thread, what was started before it; the caller reports the error. */
    void fail() {
        List<Runnable> toClose;
        synchronized (lock) {
            if (exiting) {
                return; // the hook closes them
            }
            busy = true; // the hook, should a stop come now, waits for these to be closed
            toClose = new ArrayList<>(started);
            started.clear();
        }
        try {
            toClose.forEach(Runnable::run);
        } finally {
            synchronized (lock) {
                busy = false;
                lock.notifyAll();
            }
        }
        remove();
    }

    /** Nothing was started, or {@link #fail} closed it: the command ends with its error, the hook is not needed. */
    void remove() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            stopped.countDown(); // logging need not wait for a hook that will not run
        } catch (IllegalStateException e) {
            // The JVM is exiting: the hook runs, and counts down when done.
        }
    }

    /** Serving: waits until the hook has stopped what was started, or {@code millis} passed; true once stopped. */
    boolean awaitStopped(long millis) throws InterruptedException {
        return stopped.await(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Closes what was started, now, on this thread (a cluster host removed from the cluster); the stopped line is the
     * caller's to print, and the hook, once the JVM exits, prints nothing.
     */
    void stopNow() {
        List<Runnable> toClose;
        synchronized (lock) {
            toClose = new ArrayList<>(started);
            started.clear();
            stoppedLine = null;
            stoppedWhile = null;
        }
        toClose.forEach(Runnable::run);
    }

    private void onExit() {
        try {
            List<Runnable> toClose;
            String line;
            String interrupted;
            synchronized (lock) {
                exiting = true;
                lock.notifyAll(); // a paused start
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_WAIT_MILLIS);
                while (busy) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        break;
                    }
                    try {
                        lock.wait(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                toClose = new ArrayList<>(started);
                started.clear();
                line = stoppedLine;
                interrupted = stoppedWhile;
            }
            toClose.forEach(ServeExit::closeQuietly);
            if (!toClose.isEmpty() && line != null) {
                System.out.println(line);
                System.out.flush();
            } else if (toClose.isEmpty() && interrupted != null) {
                System.err.println("resh: stopped while " + interrupted);
                System.err.flush();
            }
        } finally {
            stopped.countDown();
        }
    }

    /** One server that fails to close does not keep the others open. */
    private static void closeQuietly(Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            System.err.println("resh: " + Resh.oneLine(e));
        }
    }

    /** The JVM is exiting and the hook stops what was started and says so: the command ends without a word. */
    static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped", null, false, false);
        }
    }
}
