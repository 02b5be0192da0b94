package io.resh.campaign;

import io.resh.core.FailStopException;
import io.resh.host.ReplicaGroup;
import io.resh.host.ServiceErrorException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;

/**
 * The campaign's client of one group: sends each request to the group and to the golden run, in the
 * same order, and judges the voted reply against the golden one. The only submitter to its group, so
 * the number of requests it sent is the group's last sequence number.
 */
final class GroupClient {
    private final ReplicaGroup group;
    private final GoldenRun golden;
    private final Duration timeout;
    private long sent;

    GroupClient(ReplicaGroup group, GoldenRun golden, Duration timeout) {
        this.group = group;
        this.golden = golden;
        this.timeout = timeout;
    }

    ReplicaGroup group() {
        return group;
    }

    GoldenRun golden() {
        return golden;
    }

    /** Requests sent so far: the group's last sequence number. */
    long sent() {
        return sent;
    }

    /** Sends one request and waits for its voted reply. */
    ReplyVerdict call(byte[] request) {
        GoldenRun.Expected expected = golden.expect(request);
        sent++;
        return judge(group.submit(request), expected, timeout.toNanos());
    }

    /**
     * Sends {@code requests} keeping at most {@code window} outstanding, recording each one's latency
     * in nanoseconds with {@code latency}.
     *
     * @return how many replies were not correct
     */
    int pipelined(List<byte[]> requests, int window, LongConsumer latency) {
        record Pending(CompletableFuture<byte[]> reply, GoldenRun.Expected expected, long sentNanos) {
        }
        ArrayDeque<Pending> inflight = new ArrayDeque<>();
        int bad = 0;
        for (byte[] r : requests) {
            GoldenRun.Expected expected = golden.expect(r);
            sent++;
            inflight.add(new Pending(group.submit(r), expected, System.nanoTime()));
            if (inflight.size() >= window) {
                Pending p = inflight.poll();
                bad += judge(p.reply(), p.expected(), timeout.toNanos()) == ReplyVerdict.CORRECT ? 0 : 1;
                latency.accept(System.nanoTime() - p.sentNanos());
            }
        }
        while (!inflight.isEmpty()) {
            Pending p = inflight.poll();
            bad += judge(p.reply(), p.expected(), timeout.toNanos()) == ReplyVerdict.CORRECT ? 0 : 1;
            latency.accept(System.nanoTime() - p.sentNanos());
        }
        return bad;
    }

    static ReplyVerdict judge(CompletableFuture<byte[]> reply, GoldenRun.Expected expected, long timeoutNanos) {
        try {
            byte[] value = reply.get(timeoutNanos, TimeUnit.NANOSECONDS);
            return expected.matchesValue(value) ? ReplyVerdict.CORRECT : ReplyVerdict.WRONG;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ServiceErrorException s) {
                // A voted service error is an answer: right if the golden run threw the same.
                return expected.matchesError(s.getMessage()) ? ReplyVerdict.CORRECT : ReplyVerdict.WRONG;
            }
            return cause instanceof FailStopException ? ReplyVerdict.FAIL_STOP : ReplyVerdict.UNAVAILABLE;
        } catch (TimeoutException e) {
            return ReplyVerdict.UNAVAILABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ReplyVerdict.UNAVAILABLE;
        }
    }
}
