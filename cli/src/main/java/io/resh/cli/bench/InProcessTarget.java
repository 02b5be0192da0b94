package io.resh.cli.bench;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;

/**
 * The service called directly on the driver thread: one execution, no IPC, no vote. The reference
 * every replicated figure is divided by.
 */
final class InProcessTarget implements Target {
    private final ReplicatedService service;
    private final Context ctx = new Context();

    InProcessTarget(ReplicatedService service) {
        this.service = service;
    }

    @Override
    public String label() {
        return "in-process";
    }

    @Override
    public CompletableFuture<byte[]> send(byte[] request) {
        ctx.sequence++;
        try {
            return CompletableFuture.completedFuture(service.execute(request, ctx));
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public List<Long> processes() {
        return List.of();
    }

    @Override
    public void close() {
    }

    /** Time and randomness fixed as the host would fix them, so the work is the same as in a replica. */
    private static final class Context implements ExecutionContext {
        private final SplittableRandom random = new SplittableRandom(1);
        long sequence;

        @Override
        public long sequence() {
            return sequence;
        }

        @Override
        public long timeMillis() {
            return 1_700_000_000_000L + sequence;
        }

        @Override
        public RandomGenerator random() {
            return random;
        }

        @Override
        public int replicaIndex() {
            return 0;
        }
    }
}
