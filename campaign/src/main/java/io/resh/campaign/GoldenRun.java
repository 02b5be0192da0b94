package io.resh.campaign;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The fault-free reference: the service class run directly, in this process, on the same requests in
 * the same order as the group. Its replies are what a correct group must answer.
 *
 * <p>An exception is an answer too, rendered as the replica runtime renders it ({@code class: message}),
 * so a voted service error can be compared with it.
 */
final class GoldenRun {

    /** The golden answer to one request: a value, or the text of the error the service threw. */
    record Expected(byte[] value, String error) {
        boolean matchesValue(byte[] reply) {
            return error == null && Arrays.equals(value, reply);
        }

        boolean matchesError(String message) {
            return error != null && error.equals(message);
        }

        @Override
        public String toString() {
            return error != null ? "error " + error : HexFormat.of().formatHex(value);
        }
    }

    private final ReplicatedService service;
    private final Context ctx = new Context();

    GoldenRun(ReplicatedService service) {
        this.service = service;
    }

    ReplicatedService service() {
        return service;
    }

    Expected expect(byte[] request) {
        ctx.sequence++;
        try {
            byte[] reply = service.execute(request, ctx);
            return new Expected(reply == null ? new byte[0] : reply, null);
        } catch (Exception | StackOverflowError e) {
            return new Expected(null, e.getClass().getName() + ": " + e.getMessage());
        }
    }

    /** Replaces the golden state with the group's (after corruption the host could not see, N = 1). */
    void rebase(byte[] snapshot) throws IOException {
        service.restore(new ByteArrayInputStream(snapshot));
    }

    static byte[] snapshotOf(ReplicatedService service) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            service.snapshot(out);
        } catch (IOException e) {
            throw new UncheckedIOException("the golden run could not snapshot its own state", e);
        }
        return out.toByteArray();
    }

    /** Time and randomness the golden run can reproduce; the workloads never send requests that read them. */
    private static final class Context implements ExecutionContext {
        long sequence;

        @Override
        public long sequence() {
            return sequence;
        }

        @Override
        public long timeMillis() {
            return 0;
        }

        @Override
        public RandomGenerator random() {
            return new SplittableRandom(sequence);
        }

        @Override
        public int replicaIndex() {
            return 0;
        }
    }
}
