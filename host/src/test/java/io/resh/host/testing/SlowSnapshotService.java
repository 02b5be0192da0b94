package io.resh.host.testing;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A counter ({@code add:N} answers the new total) whose snapshot takes {@link #SNAPSHOT_MILLIS}, as writing a large
 * state does: checkpoints asked more often than that come faster than they can be made.
 */
public final class SlowSnapshotService implements ReplicatedService {
    public static final long SNAPSHOT_MILLIS = 60;
    private long total;

    @Override
    public byte[] execute(byte[] request, ExecutionContext ctx) {
        String r = new String(request, StandardCharsets.UTF_8);
        if (!r.startsWith("add:")) {
            throw new IllegalArgumentException("unknown request: " + r);
        }
        total += Long.parseLong(r.substring(4));
        return Long.toString(total).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
        try {
            Thread.sleep(SNAPSHOT_MILLIS); // the cost of writing a large state, which this one only pretends to have
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing the snapshot");
        }
        DataOutputStream d = new DataOutputStream(out);
        d.writeLong(total);
        d.flush();
    }

    @Override
    public void restore(InputStream in) throws IOException {
        total = new DataInputStream(in).readLong();
    }
}
