package io.resh.host.testing;

/** A service whose static initializer throws, as one reading a missing setting into a constant does. */
public final class UninitializableService extends ForwardingService {
    private static final int PORT = Integer.parseInt(System.getProperty("resh.test.missing.setting", "none"));

    public UninitializableService() {
        super(new CounterService());
    }

    /** Keeps {@link #PORT} in use. */
    static int port() {
        return PORT;
    }
}
