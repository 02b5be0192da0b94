package io.resh.host.testing;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A counter whose {@code restore} rejects every snapshot, as one that checks a magic number it never wrote does. */
public final class UnrestorableCounterService implements ReplicatedService {
    private long total;

    @Override
    public byte[] execute(byte[] request, ExecutionContext ctx) {
        total += request.length;
        return Long.toString(total).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeLong(total);
        d.flush();
    }

    @Override
    public void restore(InputStream in) throws IOException {
        throw new IOException("corrupt snapshot: bad magic");
    }
}
