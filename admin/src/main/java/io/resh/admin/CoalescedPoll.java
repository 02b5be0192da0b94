package io.resh.admin;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs a poll on request, coalescing requests: at most one poll runs and at most one more waits, however
 * many requests arrive (fifty events at once cost two polls, not fifty). Every request is answered by a
 * poll that starts after it, so a caller that requested after seeing an event gets a status taken after it.
 *
 * <p>Thread-safe; the poll runs on the executor, never on the requesting thread.
 */
final class CoalescedPoll {
    private static final CompletableFuture<Void> NONE = CompletableFuture.completedFuture(null);

    private final Runnable poll;
    private final Executor executor;
    private final Object lock = new Object();
    private CompletableFuture<Void> waiting; // requested, not started yet
    private CompletableFuture<Void> running; // started, not finished yet

    CoalescedPoll(Runnable poll, Executor executor) {
        this.poll = poll;
        this.executor = executor;
    }

    /** Asks for a poll that starts after this call; the future completes when it has finished. */
    CompletableFuture<Void> request() {
        synchronized (lock) {
            if (waiting != null) {
                return waiting; // not started yet, so it also starts after this request
            }
            CompletableFuture<Void> next = new CompletableFuture<>();
            waiting = next;
            if (running == null) {
                startWaiting();
            }
            return next;
        }
    }

    /** Completes when every poll requested so far has finished; already complete when none is outstanding. */
    CompletableFuture<Void> settled() {
        synchronized (lock) {
            return waiting != null ? waiting : running != null ? running : NONE;
        }
    }

    // holding lock
    private void startWaiting() {
        CompletableFuture<Void> done = waiting;
        waiting = null;
        running = done;
        try {
            executor.execute(() -> {
                try {
                    poll.run();
                } finally {
                    finished(done);
                }
            });
        } catch (RejectedExecutionException e) { // shutting down: nobody should wait for a poll that never runs
            running = null;
            done.complete(null);
        }
    }

    private void finished(CompletableFuture<Void> done) {
        synchronized (lock) {
            running = null;
            if (waiting != null) {
                startWaiting();
            }
        }
        done.complete(null);
    }
}
