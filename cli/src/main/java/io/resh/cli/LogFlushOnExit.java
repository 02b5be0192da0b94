package io.resh.cli;

import ch.qos.logback.core.hook.ShutdownHookBase;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Logback's shutdown hook for the {@code resh} command (named in logback.xml): at JVM exit it flushes and
 * stops logging, but only once every server that {@code resh serve} is stopping has logged its last lines.
 * The JVM runs shutdown hooks concurrently, so logback's default hook stopped logging while a group was
 * still closing, and the line saying where it kept its work directory for the post-mortem was lost.
 */
public final class LogFlushOnExit extends ShutdownHookBase {
    /** A server that takes longer than this to stop gets its remaining lines dropped rather than the exit held. */
    private static final long MAX_WAIT_MILLIS = 60_000;
    private static final Set<CountDownLatch> STOPPING = ConcurrentHashMap.newKeySet();

    /** Keeps logging up at exit until {@code stopped} counts down (or a minute passed). */
    static void holdUntil(CountDownLatch stopped) {
        STOPPING.add(stopped);
    }

    @Override
    public void run() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MILLIS);
        try {
            for (CountDownLatch stopped : STOPPING) {
                stopped.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop();
    }
}
