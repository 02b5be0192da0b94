package io.resh.host.testing;

/** A service whose constructor throws: every replica of it fails to start, at every restart alike. */
public final class UnconstructibleService extends ForwardingService {
    public UnconstructibleService() {
        super(new CounterService());
        throw new IllegalStateException("refuses to start: no state file");
    }
}
