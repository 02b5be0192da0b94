package io.resh.host.testing;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A service that delegates everything; test versions override what they change. */
public abstract class ForwardingService implements ReplicatedService {
    private final ReplicatedService delegate;

    protected ForwardingService(ReplicatedService delegate) {
        this.delegate = delegate;
    }

    @Override
    public byte[] execute(byte[] request, ExecutionContext ctx) throws Exception {
        return delegate.execute(request, ctx);
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
        delegate.snapshot(out);
    }

    @Override
    public void restore(InputStream in) throws IOException {
        delegate.restore(in);
    }
}
