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
    private final class Answering implements Target {
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
}
