package io.resh.cli.bench;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A service that does nothing: it answers every request with the request itself and has no state.
 * Replicated, it measures what resh itself costs per request (ordering, IPC, voting), with no service
 * work to hide it. Public with a no-argument constructor because replica processes instantiate it.
 */
public final class NullService implements ReplicatedService {
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
