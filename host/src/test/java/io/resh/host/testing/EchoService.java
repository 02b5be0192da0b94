package io.resh.host.testing;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.InputStream;
import java.io.OutputStream;

/** A stateless service: answers every request with the request; its snapshot is empty. */
public final class EchoService implements ReplicatedService {
    @Override
    public byte[] execute(byte[] request, ExecutionContext ctx) {
        return request;
    }

    @Override
    public void snapshot(OutputStream out) {
        // no state
    }

    @Override
    public void restore(InputStream in) {
        // no state
    }
}
