package io.resh.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClosedLoopTest {
    private final ExecutorService answerer = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() throws InterruptedException {
        answerer.shutdownNow();
        answerer.awaitTermination(5, TimeUnit.SECONDS);
    }

    /** Answers every request on another thread; every fifth with an error; tracks what is outstanding. */
    private class Answering implements Target {
        final AtomicInteger outstanding = new AtomicInteger();
        final AtomicInteger mostOutstanding = new AtomicInteger();
        final AtomicLong sent = new AtomicLong();
        final AtomicInteger batches = new AtomicInteger();

        @Override
        public String label() {
            return "answering";
        }

        @Override
        public CompletableFuture<byte[]> send(byte[] request) {
            long n = sent.incrementAndGet();
            mostOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
            CompletableFuture<byte[]> reply = new CompletableFuture<>();
            answerer.execute(() -> {
                outstanding.decrementAndGet();
                if (n % 5 == 0) {
                    reply.completeExceptionally(new IllegalStateException("no " + n));
                } else {
                    reply.complete(request);
                }
            });
            return reply;
        }

        @Override
        public List<CompletableFuture<byte[]>> sendAll(List<byte[]> requests) {
            batches.incrementAndGet();
            List<CompletableFuture<byte[]>> out = new ArrayList<>();
            for (byte[] r : requests) {
                out.add(send(r));
            }
            return out;
        }

        @Override
        public List<Long> processes() {
            return List.of();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void shouldKeepTheWindowFullInBatchesAndCountEveryReplyAndError() {
        Answering target = new Answering();
        RequestSource source = new RequestSource(List.of(new byte[] {1}, new byte[] {2}), "two requests");

        Tally t = new ClosedLoop(64).run(target, source, Duration.ofMillis(300), false);

        assertThat(t.requests).isEqualTo(target.sent.get()).isGreaterThan(64);
        assertThat(t.errors).isEqualTo(target.sent.get() / 5);
        assertThat(t.firstError).isEqualTo("IllegalStateException: no 5");
        assertThat(target.mostOutstanding.get()).isLessThanOrEqualTo(64);
        assertThat(target.batches.get()).as("refills batched").isLessThan((int) target.sent.get());
        assertThat(t.latency.getTotalCount()).isGreaterThanOrEqualTo(t.requests - t.errors);
    }

    @Test
    void shouldSendALoneRequestAtATime() {
        Answering target = new Answering();
        RequestSource source = new RequestSource(List.of(new byte[] {1}), "one request");

        Tally t = new ClosedLoop(1).run(target, source, Duration.ofMillis(100), false);

        assertThat(target.mostOutstanding.get()).isEqualTo(1);
        assertThat(t.requests).isEqualTo(target.sent.get()).isEqualTo(target.batches.get());
    }

    @Test
    void shouldKeepEachRequestsOwnLatencyBesideTheCorrectedOne() {
        // Every 200th reply is held back 30 ms (a stall); the rest are answered at once.
        java.util.concurrent.ScheduledExecutorService staller = Executors.newSingleThreadScheduledExecutor();
        try {
            AtomicLong n = new AtomicLong();
            Target stalling = new Answering() {
                @Override
                public CompletableFuture<byte[]> send(byte[] request) {
                    if (n.incrementAndGet() % 200 != 0) {
                        return CompletableFuture.completedFuture(request);
                    }
                    CompletableFuture<byte[]> late = new CompletableFuture<>();
                    staller.schedule(() -> late.complete(request), 30, TimeUnit.MILLISECONDS);
                    return late;
                }
            };
            RequestSource source = new RequestSource(List.of(new byte[] {1}), "one request");

            Tally t = new ClosedLoop(1).run(stalling, source, Duration.ofMillis(400), false);

            long stalls = t.requests / 200;
            assertThat(stalls).isPositive();
            assertThat(t.uncorrected.getTotalCount()).isEqualTo(t.requests);
            // The correction back-fills what each stall kept from being sent: many more samples, same max.
            assertThat(t.latency.getTotalCount()).isGreaterThan(t.uncorrected.getTotalCount());
            assertThat(t.uncorrected.getMaxValue()).isGreaterThanOrEqualTo(30_000_000L);
            assertThat(t.uncorrected.getValueAtPercentile(50)).isLessThan(1_000_000L);
            String note = KvSmallScenario.uncorrected("lone request", t);
            long over = t.uncorrected.getTotalCount() - t.uncorrected.getCountBetweenValues(0, 1_000_000);
            // Every stall is over 1 ms; a request answered at once may be too when the machine preempts the
            // loop or collects garbage, so the bound above allows a few of those, never the back-filled samples.
            assertThat(over).isBetween(stalls, stalls + 1 + t.requests / 20);
            assertThat(note).contains("answering").contains(over + " of " + String.format(java.util.Locale.ROOT, "%,d", t.requests)
                    + " requests over 1 ms");
        } finally {
            staller.shutdownNow();
        }
    }
}
