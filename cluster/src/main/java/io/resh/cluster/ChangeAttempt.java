package io.resh.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.api.AdminApi;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One membership change or leadership transfer, sent to the leader by a Raft client of its own that retries
 * (through an election, to a leader not known yet) until a deadline and no longer; the caller has its answer
 * at the deadline even while an attempt still waits on a paused host.
 *
 * <p>Why not one long-lived client: its retry policy can only count attempts, and an attempt that reaches a
 * paused host waits out the whole RPC timeout. A change on a cluster that had lost its majority took a minute
 * to fail, long after {@code resh cluster} had given up waiting for the admin API's answer.
 */
final class ChangeAttempt {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeAttempt.class);
    private static final TimeDuration RETRY_PAUSE = TimeDuration.valueOf(200, TimeUnit.MILLISECONDS);

    private ChangeAttempt() {
    }

    /** The Raft call to make with the attempt's client. */
    @FunctionalInterface
    interface Call {
        RaftClientReply on(AdminApi admin) throws IOException;
    }

    /**
     * What came of it: the leader's reply or the client's error (neither when the deadline came first), and
     * whether the deadline had come (Ratis's error then says only that it stopped retrying).
     */
    record Outcome(RaftClientReply reply, Exception error, boolean late) {
        boolean done() {
            return reply != null && reply.isSuccess();
        }

        /** Why it was not done; null when it was, or when the deadline came first. */
        Throwable failure() {
            return error != null ? error : reply == null ? null : reply.getException();
        }
    }

    /**
     * Makes {@code call} until it is done, fails for good, or {@code timeout} has passed.
     *
     * @param first the server to ask first: this host, which answers at once, with the leader if it is not
     */
    static Outcome run(RaftProperties properties, RaftGroup group, RaftPeerId first, Duration timeout, Call call) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RetryPolicy untilDeadline = event -> System.nanoTime() + RETRY_PAUSE.toLong(TimeUnit.NANOSECONDS) < deadline
                ? () -> RETRY_PAUSE : RetryPolicy.NO_RETRY_ACTION;
        RaftClient.Builder b = RaftClient.newBuilder().setProperties(properties).setRaftGroup(group)
                .setRetryPolicy(untilDeadline);
        if (group.getPeer(first) != null) {
            b.setLeaderId(first);
        }
        RaftClient client = b.build();
        CompletableFuture<Outcome> attempt = new CompletableFuture<>();
        // On a thread of its own: an attempt sent to a paused host returns only after the RPC timeout (and the
        // client's close waits for it too), but the caller is answered at the deadline.
        Thread asking = new Thread(() -> {
            try {
                attempt.complete(new Outcome(call.on(client.admin()), null, late(deadline)));
            } catch (IOException | RuntimeException e) {
                attempt.complete(new Outcome(null, e, late(deadline)));
            } finally {
                close(client);
            }
        }, "resh-cluster-change");
        asking.setDaemon(true);
        asking.start();
        try {
            return attempt.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return new Outcome(null, null, true); // the retry policy ends the attempt once its RPC returns
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(null, e, false);
        } catch (ExecutionException e) {
            throw new IllegalStateException("never completed exceptionally", e);
        }
    }

    /** Whether the retry policy has stopped for the deadline. */
    private static boolean late(long deadline) {
        return System.nanoTime() + RETRY_PAUSE.toLong(TimeUnit.NANOSECONDS) >= deadline;
    }

    private static void close(RaftClient client) {
        try {
            client.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing a membership change's Raft client: {}", e.toString());
        }
    }
}
