package io.resh.host.testing;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A counter whose {@code snapshot} throws, as one that holds something it cannot write does. */
public final class ThrowingSnapshotService implements ReplicatedService {
    private long total;

    @Override
    public byte[] execute(byte[] request, ExecutionContext ctx) {
        total += request.length;
        return Long.toString(total).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void snapshot(OutputStream out) {
        throw new IllegalStateException("snapshot refused: a socket is not state");
    }

    @Override
    public void restore(InputStream in) {
        total = 0;
    }
}
