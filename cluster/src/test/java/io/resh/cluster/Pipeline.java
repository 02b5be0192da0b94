package io.resh.cluster;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/** Sends numbered requests with a bounded window outstanding; bounded in count and time. */
final class Pipeline {
    private Pipeline() {
    }

    /**
     * Sends request {@code i} for i in [0, count) while at most {@code window} are outstanding, and hands
     * each outcome (reply or error) to {@code outcome}. Returns how many were sent.
     */
    static int run(ClusterClient client, int count, int window, Duration bound, IntFunction<byte[]> request,
                   BiConsumer<Integer, CompletableFuture<byte[]>> outcome) throws Exception {
        return run(client, count, window, bound, () -> false, request, outcome);
    }

    /** As above, and stops sending as soon as {@code stop} says so. */
    static int run(ClusterClient client, int count, int window, Duration bound, BooleanSupplier stop,
                   IntFunction<byte[]> request, BiConsumer<Integer, CompletableFuture<byte[]>> outcome) throws Exception {
        long stopAt = System.nanoTime() + bound.toNanos();
        ArrayDeque<CompletableFuture<byte[]>> inflight = new ArrayDeque<>();
        ArrayDeque<Integer> ids = new ArrayDeque<>();
        int sent = 0;
        while (sent < count && System.nanoTime() < stopAt && !stop.getAsBoolean()) {
            if (inflight.size() >= window) {
                drainOne(inflight, ids, outcome);
            }
            inflight.add(client.send(request.apply(sent)));
            ids.add(sent);
            sent++;
        }
        while (!inflight.isEmpty()) {
            drainOne(inflight, ids, outcome);
        }
        return sent;
    }

    private static void drainOne(ArrayDeque<CompletableFuture<byte[]>> inflight, ArrayDeque<Integer> ids,
                                 BiConsumer<Integer, CompletableFuture<byte[]>> outcome) throws Exception {
        CompletableFuture<byte[]> f = inflight.poll();
        try {
            f.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            // reported through the future itself
        }
        outcome.accept(ids.poll(), f);
    }
}
