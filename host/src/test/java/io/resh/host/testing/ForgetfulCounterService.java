package io.resh.host.testing;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A counter whose snapshot forgets one field, the newcomer's mistake: every request answers {@code total/calls},
 * and only {@code total} is written. Every replica writes the same incomplete snapshot, so the checkpoint vote
 * agrees; a replica restored from it answers the next request otherwise than those that ran on.
 */
public final class ForgetfulCounterService implements ReplicatedService {
    private long total;
    private long calls;

    @Override
    public byte[] execute(byte[] request, ExecutionContext ctx) {
        total += request.length;
        calls++;
        return (total + "/" + calls).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeLong(total);
        d.flush();
    }

    @Override
    public void restore(InputStream in) throws IOException {
        total = new DataInputStream(in).readLong();
    }
}
