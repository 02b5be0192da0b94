package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** Coalescing, stepped by hand: the executor only queues, the test runs what it queued. */
class CoalescedPollTest {
    private final Queue<Runnable> queued = new ArrayDeque<>();
    private final Executor executor = queued::add;
    private int polls;
    private final CoalescedPoll poll = new CoalescedPoll(() -> polls++, executor);

    private void runQueued() {
        while (!queued.isEmpty()) {
            queued.poll().run();
        }
    }

    @Test
    void shouldBeSettledWhenNothingWasRequested() {
        assertThat(poll.settled()).isDone();
    }

    @Test
    void shouldPollOnceForARequestAndSettleAfterIt() {
        CompletableFuture<Void> answered = poll.request();

        assertThat(answered).isNotDone();
        assertThat(poll.settled()).isNotDone();
        runQueued();
        assertThat(polls).isEqualTo(1);
        assertThat(answered).isDone();
        assertThat(poll.settled()).isDone();
    }

    @Test
    void shouldCostTwoPollsForFiftyRequestsWhileOneRuns() {
        CompletableFuture<Void> first = poll.request();
        Runnable running = queued.poll(); // started: its status may be older than the requests below
        List<CompletableFuture<Void>> later = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            later.add(poll.request());
        }

        assertThat(queued).as("one poll at a time").isEmpty();
        running.run();
        assertThat(first).isDone();
        assertThat(later).allSatisfy(f -> assertThat(f).as("answered only by a poll that starts after it").isNotDone());
        assertThat(poll.settled()).isNotDone();
        runQueued();
        assertThat(polls).isEqualTo(2);
        assertThat(later).allSatisfy(f -> assertThat(f).isDone());
        assertThat(poll.settled()).isDone();
    }

    @Test
    void shouldShareTheWaitingPollAmongRequestsMadeBeforeItStarts() {
        poll.request(); // handed to the executor: it runs now
        CompletableFuture<Void> b = poll.request();
        CompletableFuture<Void> c = poll.request();

        assertThat(c).isSameAs(b);
        runQueued();
        assertThat(polls).isEqualTo(2);
    }

    @Test
    void shouldNotLeaveWaitersHangingWhenTheExecutorIsShutDown() {
        CoalescedPoll closed = new CoalescedPoll(() -> polls++, task -> {
            throw new RejectedExecutionException("shut down");
        });

        assertThat(closed.request()).isDone();
        assertThat(closed.settled()).isDone();
        assertThat(polls).isZero();
    }
}
