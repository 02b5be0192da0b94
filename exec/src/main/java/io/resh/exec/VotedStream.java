package io.resh.exec;

import io.resh.core.Quorum;
import io.resh.core.StreamVoter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One voted channel: every replica's reader thread feeds its bytes to a {@link StreamVoter} under
 * one lock, and the bytes f+1 replicas agree on go to the client at once, so a long job shows its
 * progress.
 *
 * <p>Backpressure bounds memory: a reader whose replica is more than {@code window} bytes ahead of
 * the slowest replica still voting waits (its replica then blocks on a full pipe) until the slow
 * one catches up, is found faulty or is excluded. The slowest replica's reader never waits, so
 * this can't deadlock on its own; only one channel per group may hold back (see {@code GroupRun}).
 */
final class VotedStream implements StreamTarget {
    private final String channel;
    private final StreamVoter voter;
    private final ReleasedSink sink;
    private final long window;
    private final boolean[] excluded;
    private final List<StreamVoter.Divergence> divergences = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progressed = lock.newCondition();

    VotedStream(String channel, Quorum quorum, ReleasedSink sink, long window) {
        this.channel = channel;
        this.voter = new StreamVoter(quorum);
        this.sink = sink;
        this.window = window;
        this.excluded = new boolean[quorum.replicas()];
    }

    @Override
    public void append(int replica, byte[] buf, int len) throws InterruptedException {
        lock.lock();
        try {
            while (!excluded[replica] && !voter.settled() && !voter.isFaulty(replica)
                    && voter.received(replica) - voter.slowestReceived() >= window) {
                progressed.await();
            }
            byte[] released = voter.append(replica, buf, 0, len);
            if (released.length > 0) {
                sink.write(released);
            }
            divergences.addAll(voter.takeDivergences());
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void end(int replica) {
        lock.lock();
        try {
            voter.end(replica);
            divergences.addAll(voter.takeDivergences());
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void exclude(int replica) {
        lock.lock();
        try {
            excluded[replica] = true;
            voter.exclude(replica);
            divergences.addAll(voter.takeDivergences());
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    String channel() {
        return channel;
    }

    boolean agreed() {
        lock.lock();
        try {
            return voter.endAgreed();
        } finally {
            lock.unlock();
        }
    }

    long released() {
        lock.lock();
        try {
            return voter.released();
        } finally {
            lock.unlock();
        }
    }

    long retainedHighWater() {
        lock.lock();
        try {
            return voter.retainedHighWater();
        } finally {
            lock.unlock();
        }
    }

    /** Every divergence found so far, in order. */
    List<StreamVoter.Divergence> divergences() {
        lock.lock();
        try {
            return List.copyOf(divergences);
        } finally {
            lock.unlock();
        }
    }
}
